"""`python manage.py seed_demo`: a small, realistic network to click around in.

Idempotent: people, offers, goals and access rows are looked up by name (or username) and
created only when missing, and the traffic (clicks and conversions) is made only while the
demo advertiser has none. Everything is written through the apps' services; clicks and
postbacks go through the same code as /click and /postback, spread over the last 14 days. At the end the report
rollups are brought up to date, so reports show the demo at once (not after beat's first refresh).
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q
from django.test.utils import override_settings
from django.utils import timezone

from areas.manager.demo_catalogue import COUPON, catalogue_seed
from billing.models import Invoice, PaymentMethod
from billing.services import (
    BillingError,
    advertiser_billing_profile_update,
    affiliate_billing_profile_update,
    invoice_issue,
    invoice_mark_paid,
    invoices_draft,
    payment_record,
)
from conversions.models import Conversion
from conversions.postback_pipeline import PostbackRequest, postback_process
from conversions.reasons import Reason
from conversions.services import conversion_set_status
from core.periods import day_start, network_today
from offers.models import Goal, Offer, OfferAccess
from offers.services import goal_create, offer_access_set, offer_create
from partners.models import Advertiser, Affiliate
from partners.services import advertiser_create, advertiser_rotate_signing_secret, affiliate_create, member_create
from reports.services import rollups_rebuild, rollups_refresh
from tracking.models import Click
from tracking.services import click_record

PASSWORD = "tally-demo"  # noqa: S105 -- a demo login, printed on screen on purpose
DAYS = 35
ADVERTISER = "Acme Shop"
ADVERTISER_IP = "192.0.2.10"  # where Acme's server "sends" its postbacks from (TEST-NET-1)
LANDING = "https://shop.acme.example/landing?tid={transaction_id}&aff={affiliate_id}&sub=<aff_sub>"

CPS = Offer.PayoutType.CPS_PERCENT
ACTIVE, PENDING = Affiliate.Status.ACTIVE, Affiliate.Status.PENDING

# name, username, status
AFFILIATES = [
    ("Blue Coupons", "bluecoupons", ACTIVE),
    ("Deal Hunters", "dealhunters", ACTIVE),
    ("Newcomer Media", "newcomer", PENDING),
]

# Each offer shows one feature. RATES below: the share of its clicks that convert in the demo.
OFFERS = [
    {"name": "Acme Newsletter Sign-up", "payout": "2.50", "revenue": "4.00"},
    {
        "name": "Acme Store Sales",
        "description": "Percent of each sale, with a 28-day attribution window.",
        "payout_type": CPS,
        "payout": "8",
        "revenue_type": CPS,
        "revenue": "12",
        "session_hours": 672,
    },
    {
        "name": "Acme App Install",
        "description": "Install, then two goals: registration and first deposit.",
        "visibility": Offer.Visibility.APPROVAL_REQUIRED,
        "payout": "3.00",
        "revenue": "5.00",
    },
    {
        "name": "Acme VIP Club",
        "description": "Private; every conversion waits for a manager's approval.",
        "visibility": Offer.Visibility.PRIVATE,
        "conversion_approval": Offer.Approval.MANUAL,
        "payout": "40.00",
        "revenue": "60.00",
    },
    {
        "name": "Acme Flash Sale",
        "description": "At most 3 conversions a day; the rest are recorded as rejected (cap_reached).",
        "daily_cap": 3,
        "payout": "6.00",
        "revenue": "9.00",
    },
    {
        "name": "Acme Winter Promo",
        "description": "Paused: clicks go to the fallback URL and are not recorded.",
        "status": Offer.Status.PAUSED,
        "fallback_url": "https://shop.acme.example/winter-is-over",
        "payout": "5.00",
        "revenue": "7.50",
    },
]
RATES = {
    "Acme Newsletter Sign-up": 0.25,
    "Acme Store Sales": 0.12,
    "Acme App Install": 0.2,
    "Acme VIP Club": 0.3,
    "Acme Flash Sale": 0.2,
}

# offer name -> [(goal name, payout, revenue)]
GOALS = {"Acme App Install": [("registration", "1.50", "2.50"), ("first_deposit", "15.00", "25.00")]}

# offer name, affiliate name, status, payout override
ACCESS = [
    ("Acme App Install", "Blue Coupons", OfferAccess.Status.APPROVED, None),
    ("Acme App Install", "Deal Hunters", OfferAccess.Status.APPROVED, None),
    ("Acme App Install", "Newcomer Media", OfferAccess.Status.PENDING, None),
    ("Acme VIP Club", "Blue Coupons", OfferAccess.Status.APPROVED, "45.00"),
    ("Acme VIP Club", "Deal Hunters", OfferAccess.Status.PENDING, None),
]

SUB_IDS = ["email", "banner", "social", "search", "blog"]
USER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/124.0 Mobile Safari/537.36",
]


@dataclass
class Visit:
    """One planned click, and whether Acme's server will report a sale for it."""

    at: datetime
    offer: Offer
    affiliate: Affiliate
    converts: bool


@dataclass
class Postback:
    """One postback to send: when Acme's server sends it, and its parameters."""

    at: datetime
    params: dict


# --- People ---------------------------------------------------------------------------------


def manager_ensure():
    users = get_user_model().objects
    return users.filter(username="manager").first() or users.create_superuser(
        username="manager", email="manager@example.com", password=PASSWORD
    )


def member_ensure(username, *, advertiser=None, affiliate=None):
    if not get_user_model().objects.filter(username=username).exists():
        member_create(
            username=username,
            email=f"{username}@example.com",
            password=PASSWORD,
            advertiser=advertiser,
            affiliate=affiliate,
        )


def advertiser_ensure():
    advertiser = Advertiser.objects.filter(name=ADVERTISER).first() or advertiser_create(
        name=ADVERTISER, status=Advertiser.Status.ACTIVE
    )
    if not advertiser.signing_secret:  # so that the README's signed-postback example works on the demo
        advertiser = advertiser_rotate_signing_secret(advertiser=advertiser)
    member_ensure("acme", advertiser=advertiser)
    return advertiser


def affiliates_ensure():
    affiliates = {}
    for name, username, status in AFFILIATES:
        affiliate = Affiliate.objects.filter(name=name).first() or affiliate_create(
            name=name, status=status, contact_email=f"{username}@example.com"
        )
        member_ensure(username, affiliate=affiliate)
        affiliates[name] = affiliate
    return affiliates


# --- Offers ---------------------------------------------------------------------------------


def offer_ensure(advertiser, spec):
    offer = Offer.objects.filter(advertiser=advertiser, name=spec["name"]).first()
    if offer is None:
        money = {"payout": Decimal(spec["payout"]), "revenue": Decimal(spec["revenue"])}
        offer = offer_create(advertiser=advertiser, destination_url=LANDING, **{**spec, **money})
    for name, payout, revenue in GOALS.get(offer.name, []):
        if not Goal.objects.filter(offer=offer, name=name).exists():
            goal_create(offer=offer, name=name, payout=Decimal(payout), revenue=Decimal(revenue))
    return offer


def offers_ensure(advertiser):
    return {spec["name"]: offer_ensure(advertiser, spec) for spec in OFFERS}


def access_ensure(offers, affiliates):
    for offer_name, affiliate_name, status, payout in ACCESS:
        offer, affiliate = offers[offer_name], affiliates[affiliate_name]
        if not OfferAccess.objects.filter(offer=offer, affiliate=affiliate).exists():
            payout = Decimal(payout) if payout else None
            offer_access_set(offer=offer, affiliate=affiliate, status=status, payout=payout)


# --- Traffic --------------------------------------------------------------------------------


def visits_plan(rng, offers, affiliates, now):
    """Every demo click, oldest first: steady traffic on each offer an affiliate may run, plus one
    flash-sale afternoon that sells more than the daily cap allows."""
    visits = []
    for affiliate in affiliates.values():
        if not affiliate.is_active:
            continue
        runnable = Offer.objects.runnable_by(affiliate).filter(pk__in=[o.pk for o in offers.values()])
        for offer in runnable.filter(status=Offer.Status.ACTIVE):
            for _ in range(rng.randint(8, 20)):
                at = now - timedelta(seconds=rng.randint(600, DAYS * 86400))
                visits.append(Visit(at, offer, affiliate, converts=rng.random() < RATES[offer.name]))
    afternoon = day_start(network_today() - timedelta(days=3)) + timedelta(hours=13)
    flash_sale, deal_hunters = offers["Acme Flash Sale"], affiliates["Deal Hunters"]
    for minutes in range(0, 120, 20):
        visits.append(Visit(afternoon + timedelta(minutes=minutes), flash_sale, deal_hunters, converts=True))
    return sorted(visits, key=lambda v: v.at)


def click_make(rng, visit):
    # A small pool of visitors, so some come back within 24 h and their clicks are not unique.
    visitor = rng.randint(1, 60)
    return click_record(
        offer=visit.offer,
        affiliate=visit.affiliate,
        subs={"aff_sub": rng.choice(SUB_IDS), "source": f"site-{visitor % 7}"},
        ip=f"198.51.100.{visitor}",
        user_agent=USER_AGENTS[visitor % len(USER_AGENTS)],
        referer="",
        now=visit.at,
    )


def sale_amount(rng):
    return f"{rng.uniform(15, 250):.2f}"


def postbacks_for(rng, click, order_no, now):
    """What Acme's server reports for one converting click: the sale and, for an install, its goals."""
    at = min(click.created_at + timedelta(minutes=rng.randint(2, 300)), now)
    params = {"transaction_id": click.transaction_id, "amount": sale_amount(rng), "adv_sub": f"ACME-{order_no:05d}"}
    postbacks = [Postback(at, params)]
    for goal in click.offer.goals.all():
        if rng.random() < 0.5:
            at = min(at + timedelta(hours=rng.randint(1, 48)), now)
            postbacks.append(Postback(at, {"transaction_id": click.transaction_id, "goal_id": str(goal.pk)}))
    return postbacks


def recurring_postbacks(rng, offer, affiliate, now):
    """Partner-ID conversions: repeat purchases reported with offer_id and aff_id, no transaction ID."""
    postbacks = []
    for n in range(1, 5):
        at = now - timedelta(days=rng.uniform(0, DAYS - 1))
        params = {"offer_id": str(offer.pk), "aff_id": str(affiliate.pk), "amount": sale_amount(rng)}
        postbacks.append(Postback(at, {**params, "adv_sub": f"ACME-SUB-{n:03d}"}))
    return postbacks


def postback_send(postback, security_token):
    """Send one postback through the real pipeline, as received at postback.at, with Acme's security token."""
    params = {**postback.params, "security_token": security_token}
    outcome = postback_process(request=PostbackRequest(params=params, source_ip=ADVERTISER_IP, received_at=postback.at))
    if outcome.status != "rejected" or outcome.reason == Reason.CAP_REACHED:
        # The pipeline dates a conversion by the wall clock; date it when it "happened", so reports
        # and daily caps see the history spread over the days.
        Conversion.objects.filter(pk=outcome.conversion_id).update(created_at=postback.at, updated_at=postback.at)
    return outcome


def conversions_review(manager, offer, now):
    """The manager has gone through the manual-approval offer's older conversions: approves all but one."""
    older = Conversion.objects.filter(
        offer=offer, status=Conversion.Status.PENDING, created_at__lt=now - timedelta(days=4)
    )
    for n, conversion in enumerate(older.order_by("created_at")):
        if n == 0:
            conversion_set_status(conversion=conversion, status="rejected", reason="Order was refunded", user=manager)
        else:
            conversion_set_status(conversion=conversion, status="approved", user=manager)


def traffic_seed(manager, offers, affiliates, now):
    """Clicks, then the postbacks in the order Acme's server sent them (caps count per day)."""
    rng = random.Random(20240601)  # the same demo every time
    clicks = [(click_make(rng, visit), visit.converts) for visit in visits_plan(rng, offers, affiliates, now)]
    postbacks = []
    for order_no, (click, converts) in enumerate(clicks, start=1):
        if converts:
            postbacks += postbacks_for(rng, click, order_no, now)
    postbacks += recurring_postbacks(rng, offers["Acme Store Sales"], affiliates["Deal Hunters"], now)
    token = offers["Acme Store Sales"].advertiser.security_token
    for postback in sorted(postbacks, key=lambda p: p.at):
        postback_send(postback, token)
    conversions_review(manager, offers["Acme VIP Club"], now)
    return len(clicks)


# --- Billing --------------------------------------------------------------------------------


def billing_seed(manager, advertiser, affiliates, today):
    """Weekly billing for the demo's partners: the closed weeks of the traffic drafted by the job, issued, and all
    but the latest paid, so the "to pay" page, the balances and the paid history all have something to show.
    Only while the demo has no invoice (idempotent)."""
    if Invoice.objects.filter(Q(advertiser=advertiser) | Q(affiliate__in=affiliates.values())).exists():
        return 0
    for name, method, details in (
        ("Blue Coupons", PaymentMethod.PAYPAL, "payouts@bluecoupons.example"),
        ("Deal Hunters", PaymentMethod.BANK_TRANSFER, "IBAN DE89 3704 0044 0532 0130 00, BIC COBADEFFXXX"),
    ):
        affiliate_billing_profile_update(
            affiliate=affiliates[name],
            actor=manager,
            frequency="weekly",
            minimum_payout=Decimal("5.00"),
            payment_method=method,
            payment_details=details,
        )
    advertiser_billing_profile_update(
        advertiser=advertiser,
        actor=manager,
        frequency="weekly",
        terms_days=15,
        billing_contact_name="Acme Accounts Payable",
        billing_email="ap@acme.example",
    )
    day = today - timedelta(days=DAYS + 35)
    while day <= today:
        if day.weekday() == 0:  # the job's run on each Monday drafts the week before
            invoices_draft(today=day)
        day += timedelta(days=1)
    issued = []
    for draft in Invoice.objects.filter(status=Invoice.Status.DRAFT).order_by("period_end"):
        try:
            issued.append(invoice_issue(invoice=draft, actor=manager))
        except BillingError:  # below the minimum: it rolls into the next week
            continue
    # Every invoice is paid but the latest affiliate invoice (the "to pay" page shows it) and Acme's latest.
    due = {
        party: max((i for i in issued if i.party == party), key=lambda i: (i.period_end, i.pk), default=None)
        for party in ("affiliate", "advertiser")
    }
    for invoice in issued:
        if invoice in due.values():
            continue
        if invoice.party == "advertiser":
            invoice_mark_paid(invoice=invoice, actor=manager, paid_on=invoice.period_end + timedelta(days=9))
        else:
            payment_record(
                party="affiliate",
                partner=invoice.affiliate,
                currency=invoice.currency,
                amount=invoice.total,
                paid_on=invoice.period_end + timedelta(days=5),
                method=invoice.affiliate.billing_profile.payment_method,
                reference=f"DEMO-{invoice.number}",
                invoices=[invoice],
                actor=manager,
            )
    return len(issued)


# --- The command ----------------------------------------------------------------------------


class Command(BaseCommand):
    help = "Create demo data: a manager login, Acme Shop, three affiliates, offers, clicks, conversions. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="Where Tally runs, for the links (`make run ADDR=host:port` passes http://host:port).",
        )

    def handle(self, *args, base_url, **options):
        with transaction.atomic():
            manager = manager_ensure()
            advertiser = advertiser_ensure()
            affiliates = affiliates_ensure()
            offers = offers_ensure(advertiser)
            access_ensure(offers, affiliates)
            catalogue_seed(offers=offers, affiliates=affiliates)
            seeded = not Click.objects.filter(offer__advertiser=advertiser).exists()
            if not seeded:
                self.stdout.write("Demo traffic is already there: no new clicks or conversions.")
            else:
                count = traffic_seed(manager, offers, affiliates, timezone.now())
                self.stdout.write(f"Recorded {count} clicks and their postbacks over the last {DAYS} days.")
        # Issued invoices are e-mailed after commit: not to the demo's made-up partners, whatever mail is set up.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"), transaction.atomic():
            invoices = billing_seed(manager, advertiser, affiliates, network_today())
        if invoices:
            self.stdout.write(f"Issued {invoices} weekly invoices and paid all but each partner's latest.")
        # Reports read the rollups: build them now rather than leave reports empty until beat's first refresh. New
        # traffic is dated in the past (a refresh only goes back to its previous run), so it needs a full rebuild.
        if seeded:
            rollups_rebuild()
        else:
            rollups_refresh()
        self.print_summary(base_url.rstrip("/"), offers, affiliates)

    def print_summary(self, base, offers, affiliates):
        offer, affiliate = offers["Acme Store Sales"], affiliates["Blue Coupons"]
        link = f"{base}/click?" + urlencode({"offer_id": offer.pk, "aff_id": affiliate.pk, "aff_sub": "newsletter"})
        unconverted = Click.objects.filter(offer=offer, affiliate=affiliate, conversions__isnull=True)
        fresh = unconverted.order_by("-created_at").first()
        tid = fresh.transaction_id if fresh else "TRANSACTION_ID"
        token = offer.advertiser.security_token
        postback = f"{base}/postback?" + urlencode(
            {"transaction_id": tid, "amount": "49.90", "adv_sub": "ORDER-1001", "security_token": token}
        )
        partner = f"{base}/postback?" + urlencode(
            {"offer_id": offer.pk, "aff_id": affiliate.pk, "amount": "19.90", "security_token": token}
        )
        coupon = f"{base}/postback?" + urlencode(
            {"offer_id": offer.pk, "coupon_code": COUPON[2], "amount": "29.90", "security_token": token}
        )
        logins = ", ".join(["acme"] + [username for _, username, _ in AFFILIATES])
        self.stdout.write(self.style.SUCCESS("Tally demo data is ready."))
        self.stdout.write(
            "\n".join(
                [
                    f"  Manager login:  manager / {PASSWORD}  (staff, superuser)",
                    f"  Other logins:   {logins}  (password {PASSWORD} too)",
                    f"  Admin:          {base}/admin/",
                    f"  Tracking link:  {link}",
                    f"  Postback:       {postback}",
                    f"  Partner-ID:     {partner}",
                    f"  Coupon code:    {coupon}",
                    f"  Acme's security token (every postback carries it): {token}",
                    f"  Acme's signing secret (for X-Tally-Signature): {offer.advertiser.signing_secret}",
                    "  Passwords are set when a login is first created; an existing one keeps its own.",
                    "  Open the tracking link in a browser: curl and other tools count as bots (no transaction ID)",
                    "  unless they send a browser's user agent (curl -A 'Mozilla/5.0 ...'); README, Traffic quality.",
                ]
            )
        )
