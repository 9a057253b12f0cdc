"""What the permission matrix (test_permission_matrix.py) runs on: every URL pattern of the project, read from the
URL resolver, and a small network where each tenant owns one of everything."""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from billing.models import (
    AdvertiserBillingProfile,
    AffiliateBillingProfile,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentAllocation,
)
from conversions.models import AffiliatePostback, PostbackDelivery
from notifications.models import Notification
from offers.models import Offer, Tag
from quality.models import BlockEntry
from reports.models import ReportSchedule
from tests import factories
from tests.portal import postback_log

ROLES = ("anonymous", "affiliate_a", "affiliate_b", "advertiser", "manager")


@dataclass(frozen=True)
class Route:
    """One URL pattern: `key` is its namespaced name (or its route when it has none), `route` the full pattern,
    `kwargs` the names of its parameters."""

    key: str
    route: str
    kwargs: tuple


def routes():
    """Every URL pattern of the project. Router patterns with a format suffix are kept apart (key + `[format]`)."""
    found = []

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                walk(pattern.url_patterns, route, f"{namespace}:{inner}" if namespace and inner else inner or namespace)
                continue
            assert isinstance(pattern, URLPattern)
            kwargs = tuple(sorted(set(re.findall(r"<(?:\w+:)?(\w+)>", route) + re.findall(r"\(\?P<(\w+)>", route))))
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            key = name or route
            if "format" in kwargs and name:
                key += "[format]"
            found.append(Route(key=key, route=route, kwargs=kwargs))

    walk(get_resolver().url_patterns, "", None)
    return found


class World:
    """Two advertisers (X has a user; Y has none) and two affiliates (A and B, each with a user), each owning an
    offer, a goal, an access row, a click, a conversion, a postback log entry, a postback URL and a delivery.
    Attributes ending in _a belong to affiliate A on advertiser X's offer; _b to affiliate B on Y's private offer."""

    def __init__(self):
        now = timezone.now()
        self.advertiser_x = factories.AdvertiserFactory(name="Advertiser X")
        self.advertiser_y = factories.AdvertiserFactory(name="Advertiser Y")
        self.affiliate_a = factories.AffiliateFactory(name="Affiliate A")
        self.affiliate_b = factories.AffiliateFactory(name="Affiliate B")
        self.pending_affiliate = factories.AffiliateFactory(name="Pending C", status="pending")
        self.offer_a = factories.OfferFactory(
            advertiser=self.advertiser_x, name="Offer X", visibility=Offer.Visibility.APPROVAL_REQUIRED
        )
        self.offer_b = factories.OfferFactory(
            advertiser=self.advertiser_y, name="Offer Y", visibility=Offer.Visibility.PRIVATE
        )
        self.goal_a = factories.GoalFactory(offer=self.offer_a)
        self.goal_b = factories.GoalFactory(offer=self.offer_b)
        self.access_a = factories.OfferAccessFactory(offer=self.offer_a, affiliate=self.affiliate_a)
        self.access_b = factories.OfferAccessFactory(offer=self.offer_b, affiliate=self.affiliate_b)
        self.click_a = factories.ClickFactory(
            offer=self.offer_a, affiliate=self.affiliate_a, created_at=now, aff_sub="sub-of-a"
        )
        self.click_b = factories.ClickFactory(
            offer=self.offer_b, affiliate=self.affiliate_b, created_at=now, aff_sub="sub-of-b"
        )
        self.conversion_a = factories.ConversionFactory(
            click=self.click_a, payout=Decimal("1.11"), revenue=Decimal("2.22"), adv_sub="ORDER-OF-X"
        )
        self.conversion_b = factories.ConversionFactory(
            click=self.click_b, payout=Decimal("7.77"), revenue=Decimal("8.88"), adv_sub="ORDER-OF-Y"
        )
        # The network's test affiliate: its clicks are advertisers' integration tests (one per offer here).
        tester = factories.AffiliateFactory(name="Integration test", is_test=True)
        self.test_click_a = factories.ClickFactory(offer=self.offer_a, affiliate=tester, created_at=now)
        self.test_click_b = factories.ClickFactory(offer=self.offer_b, affiliate=tester, created_at=now)
        self.log_a = postback_log(offer=self.offer_a, conversion=self.conversion_a, reason="")
        self.log_b = postback_log(offer=self.offer_b, conversion=self.conversion_b, reason="")
        self.postback_a = AffiliatePostback.objects.create(affiliate=self.affiliate_a, url="https://a.example/pb")
        self.postback_b = AffiliatePostback.objects.create(affiliate=self.affiliate_b, url="https://b.example/pb")
        self.delivery_a, self.delivery_b = (
            PostbackDelivery.objects.create(
                conversion=conversion,
                postback=postback,
                conversion_status="approved",
                status=PostbackDelivery.Status.FAILED,
                give_up_at=now + timedelta(hours=1),
            )
            for conversion, postback in ((self.conversion_a, self.postback_a), (self.conversion_b, self.postback_b))
        )
        # The catalogue: a banner and a coupon code on each side's offer, and two categories (shared by everyone).
        self.creative_a = factories.CreativeFactory(offer=self.offer_a)
        self.creative_b = factories.CreativeFactory(offer=self.offer_b)
        self.coupon_a = factories.CouponFactory(offer=self.offer_a, affiliate=self.affiliate_a)
        self.coupon_b = factories.CouponFactory(offer=self.offer_b, affiliate=self.affiliate_b)
        self.category_a = factories.CategoryFactory(name="Category A")
        self.category_b = factories.CategoryFactory(name="Category B")
        self.tag_a, self.tag_b = (Tag.objects.create(name=name) for name in ("tag-a", "tag-b"))
        # A blocklist entry on each side's offer (manager-only pages).
        self.block_entry_a, self.block_entry_b = (
            BlockEntry.objects.create(offer=offer, kind="ip", value=f"192.0.2.{n}")
            for n, offer in ((1, self.offer_a), (2, self.offer_b))
        )
        # Each side by letter, for URLs that name an advertiser.
        self.advertiser_a, self.advertiser_b = self.advertiser_x, self.advertiser_y
        # Billing: an issued invoice to each affiliate (invoice_*) and to each advertiser (advertiser_invoice_*).
        self.invoice_a = issued_invoice(affiliate=self.affiliate_a)
        self.invoice_b = issued_invoice(affiliate=self.affiliate_b)
        self.advertiser_invoice_a, self.advertiser_invoice_b = (
            issued_invoice(advertiser=self.advertiser_x),
            issued_invoice(advertiser=self.advertiser_y),
        )
        # A payment of part of each affiliate's invoice, and each affiliate's billing profile (the API's objects).
        self.payment_a, self.payment_b = (partial_payment(invoice) for invoice in (self.invoice_a, self.invoice_b))
        self.billing_profile_a, self.billing_profile_b = (
            AffiliateBillingProfile.objects.create(affiliate=affiliate, payment_method="paypal", payment_details="pp")
            for affiliate in (self.affiliate_a, self.affiliate_b)
        )
        self.advertiser_billing_profile_a, self.advertiser_billing_profile_b = (
            AdvertiserBillingProfile.objects.create(advertiser=advertiser, terms_days=30)
            for advertiser in (self.advertiser_x, self.advertiser_y)
        )
        # Someone invited (or resetting a password) who never signed in: the links carry their uid and token.
        self.invitee = factories.MembershipFactory(affiliate=self.pending_affiliate).user
        self.users = {
            "anonymous": None,
            "affiliate_a": factories.MembershipFactory(affiliate=self.affiliate_a).user,
            "affiliate_b": factories.MembershipFactory(affiliate=self.affiliate_b).user,
            "advertiser": factories.MembershipFactory(advertiser=self.advertiser_x).user,
            "manager": factories.ManagerFactory(),
        }
        # An inbox entry and a scheduled report of each affiliate's user (nobody else's to read or delete).
        self.notification_a, self.notification_b = (
            Notification.objects.create(recipient=self.users[role], event_key=f"matrix:{role}", kind="offer_new")
            for role in ("affiliate_a", "affiliate_b")
        )
        self.schedule_a, self.schedule_b = (
            ReportSchedule.objects.create(owner=self.users[role], name=f"Schedule of {role}", query="group_by=day")
            for role in ("affiliate_a", "affiliate_b")
        )


def issued_invoice(**partner):
    """An issued invoice of 10.00 USD for October 2026 to `affiliate=` or `advertiser=`, as invoice_issue leaves it."""
    (party,) = partner
    invoice = Invoice.objects.create(
        party=party,
        **partner,
        currency="USD",
        period_start=date(2026, 10, 1),
        period_end=date(2026, 10, 31),
        status=Invoice.Status.ISSUED,
        number=f"T-{party[:3].upper()}-{partner[party].pk}",
        total=Decimal("10.00"),
        issued_at=timezone.now(),
        due_date=date(2026, 11, 30) if party == "advertiser" else None,
    )
    InvoiceLine.objects.create(invoice=invoice, kind=InvoiceLine.Kind.CONVERSIONS, count=1, amount=Decimal("10.00"))
    return invoice


def partial_payment(invoice):
    """A payment of 4.00 of an issued affiliate invoice, as billing.services.payment_record leaves it."""
    payment = Payment.objects.create(
        party="affiliate",
        affiliate=invoice.affiliate,
        currency="USD",
        amount=Decimal("4.00"),
        paid_on=date(2026, 11, 5),
        method="paypal",
    )
    PaymentAllocation.objects.create(payment=payment, invoice=invoice, amount=Decimal("4.00"))
    return payment


def act_as(client, world, role):
    """Make the test client `role`: the session made for it once (world.sessions), or none for anonymous."""
    client.cookies.clear()
    if world.sessions[role]:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]


def open_sessions(world):
    """Sign each role in once and keep its session key in world.sessions (None for anonymous)."""
    from django.test import Client

    world.sessions = {}
    for role, user in world.users.items():
        signed_in = Client()
        if user is not None:
            signed_in.force_login(user)
        cookie = signed_in.cookies.get(settings.SESSION_COOKIE_NAME)
        world.sessions[role] = cookie.value if cookie else None


# Markup that runs script if a page ever prints it unescaped; {n} numbers each use, to tell which field leaked.
HOSTILE_TEMPLATES = (
    "<script>alert('xss-{n}')</script>",
    "\"><img src=x onerror=alert('xss-{n}')>",
    "'><svg onload=alert('xss-{n}')>",
    "</textarea></title><script>alert('xss-{n}')</script>",
    "<iframe srcdoc=\"<script>parent.alert('xss-{n}')</script>\"></iframe>",
)


def make_hostile(world):
    """Fill every free-text value of side a (and the pending applicant) with hostile markup: names, sub IDs, user
    agent, referer, adv_subs, postback parameters, URLs' queries, errors. Returns {payload: where it went}."""
    from conversions.models import ConversionStatusChange, PostbackAttempt, PostbackDelivery

    planted = {}

    def hostile(where):
        n = len(planted)
        payload = HOSTILE_TEMPLATES[n % len(HOSTILE_TEMPLATES)].format(n=n)
        planted[payload] = where
        return payload

    def fill(obj, *fields):
        for name in fields:
            setattr(obj, name, hostile(f"{type(obj).__name__}.{name}"))
        obj.save()

    fill(world.advertiser_x, "name")
    fill(world.affiliate_a, "name", "contact_name", "traffic_sources")
    fill(world.pending_affiliate, "name", "contact_name", "traffic_sources", "rejection_reason")
    fill(world.offer_a, "name")
    fill(world.goal_a, "name")
    fill(world.click_a, "aff_sub", "aff_sub2", "aff_sub3", "aff_sub4", "aff_sub5", "source", "aff_click_id")
    fill(world.click_a, "user_agent", "referer")
    fill(world.test_click_a, "aff_sub", "user_agent", "referer")
    fill(world.conversion_a, "adv_sub", "adv_sub2", "adv_sub3", "adv_sub4", "adv_sub5", "status_reason")
    fill(world.conversion_a, "conversion_unique_id")
    world.log_a.params = {"transaction_id": hostile("PostbackLog.params value"), hostile("PostbackLog.params key"): "1"}
    world.log_a.trace = [{"rule": "duplicate", "ok": False, "detail": hostile("PostbackLog.trace detail")}]
    fill(world.log_a, "detail")
    world.postback_a.url = "https://a.example/pb?x=" + hostile("AffiliatePostback.url")
    world.postback_a.save()
    fill(world.delivery_a, "last_error")
    PostbackAttempt.objects.create(
        delivery=world.delivery_a,
        attempted_at=world.click_a.created_at,
        url="https://a.example/pb?x=" + hostile("PostbackAttempt.url"),
        status_code=500,
        error=hostile("PostbackAttempt.error"),
        response_snippet=hostile("PostbackAttempt.response_snippet"),
    )
    ConversionStatusChange.objects.create(
        conversion=world.conversion_a, old_status="approved", new_status="approved", reason=hostile("status reason")
    )
    # Billing: what managers and partners type (an adjustment's reason, payment details and references, contacts).
    InvoiceLine.objects.create(
        invoice=world.invoice_a,
        kind=InvoiceLine.Kind.ADJUSTMENT,
        amount=Decimal("1.00"),
        reason=hostile("InvoiceLine.reason"),
        description=hostile("InvoiceLine.description"),
    )
    fill(world.billing_profile_a, "payment_details")
    fill(world.advertiser_billing_profile_a, "billing_contact_name")
    Payment.objects.create(
        party="affiliate",
        affiliate=world.affiliate_a,
        currency="USD",
        amount=Decimal("1.00"),
        paid_on=date(2026, 11, 5),
        method="other",
        reference=hostile("Payment.reference"),
    )
    for role in ("affiliate_a", "advertiser", "manager"):
        fill(world.users[role], "first_name", "last_name")
    fill(world.invitee, "first_name", "email")
    assert PostbackDelivery.objects.filter(pk=world.delivery_a.pk).exists()
    return planted
