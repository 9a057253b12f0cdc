"""Who hears of each event, and what they are told (README.md, Notifications). Called from the tasks, never from a
request: the recipients, texts and keys are worked out in the worker, and the beat checks (caps, refusal spikes,
integration tests) read the database in bulk so the click and postback paths do no notification work at all."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from conversions.models import Conversion, PostbackDelivery, PostbackLog
from core.periods import network_today, period_starts
from notifications.models import Kind
from notifications.services import event_record
from offers.models import Offer, OfferAccess
from partners.models import Affiliate, PartnerStatus
from reports.models import DailyStat
from tracking.models import Click

# An affiliate "runs" an offer it is approved on, or one it sent traffic to in this many recent days (rollups).
RUNNING_DAYS = 30
CAP_THRESHOLDS = (100, 80)  # percent, highest first: a jump straight to full sends only "full"


def _users():
    return get_user_model().objects.filter(is_active=True)


def managers():
    return list(_users().filter(is_staff=True))


def affiliate_users(affiliate_ids):
    return list(_users().filter(is_staff=False, membership__affiliate_id__in=affiliate_ids))


def advertiser_users(advertiser_id):
    return list(_users().filter(is_staff=False, membership__advertiser_id=advertiser_id))


def affiliates_running(offer):
    """IDs of the active affiliates running `offer`: approved on it, or with traffic on it lately (from the
    rollups); never one blocked from it."""
    accesses = OfferAccess.objects.filter(offer=offer)
    blocked = set(accesses.filter(status=OfferAccess.Status.BLOCKED).values_list("affiliate_id", flat=True))
    approved = set(accesses.filter(status=OfferAccess.Status.APPROVED).values_list("affiliate_id", flat=True))
    since = network_today() - timedelta(days=RUNNING_DAYS)
    with_traffic = set(DailyStat.objects.filter(offer=offer, day__gte=since).values_list("affiliate_id", flat=True))
    return _active_affiliates((approved | with_traffic) - blocked)


def _active_affiliates(ids):
    return list(
        Affiliate.objects.filter(pk__in=ids, status=PartnerStatus.ACTIVE, is_test=False).values_list("pk", flat=True)
    )


def _money(value):
    return f"{Decimal(value):.2f}" if value not in (None, "") else ""


# --- Events announced by the apps below (through their signals, then a task) ---------------------------------


def access_requested(*, access_id):
    access = OfferAccess.objects.select_related("offer", "affiliate").filter(pk=access_id).first()
    if access is None or access.status != OfferAccess.Status.PENDING:
        return 0
    return event_record(
        kind=Kind.ACCESS_REQUESTED,
        event_key=f"access_requested:{access.pk}",
        users=managers(),
        title=f"{access.affiliate.name} asks to run {access.offer.name}",
        body=f"Affiliate #{access.affiliate_id} asked for access to offer #{access.offer_id}.",
        link=reverse("manager:offer_access_list") + "?status=pending",
    )


def access_decided(*, access_id, status, stamp):
    """`stamp` names this decision (the row's updated_at when it was made), so approving again after a block is
    a new event and a retry of the same task is not."""
    access = OfferAccess.objects.select_related("offer").filter(pk=access_id).first()
    if access is None:
        return 0
    verbs = {"approved": "approved", "rejected": "turned down", "blocked": "blocked"}
    return event_record(
        kind=Kind.ACCESS_DECIDED,
        event_key=f"access_decided:{access.pk}:{status}:{stamp}",
        users=affiliate_users([access.affiliate_id]),
        title=f"Your access to {access.offer.name} was {verbs.get(status, status)}",
        body="You can now send traffic to it." if status == "approved" else "",
        link=reverse("affiliate:offer_detail", args=[access.offer_id]),
    )


def offer_saved(*, offer_id, created, changes, stamp):
    """A new or changed offer: "new public offer" to every active affiliate; paused, archived, a new payout or
    landing page to the affiliates running it. Returns how many people were told."""
    offer = Offer.objects.filter(pk=offer_id).first()
    if offer is None:
        return 0
    told = 0
    link = reverse("affiliate:offer_detail", args=[offer.pk])
    public_now = offer.visibility == Offer.Visibility.PUBLIC and offer.status == Offer.Status.ACTIVE
    if public_now and (created or "visibility" in changes or "status" in changes):
        everyone = Affiliate.objects.filter(status=PartnerStatus.ACTIVE, is_test=False).values_list("pk", flat=True)
        told += event_record(
            kind=Kind.OFFER_NEW,
            event_key=f"offer_new:{offer.pk}",
            users=affiliate_users(list(everyone)),
            title=f"New offer: {offer.name}",
            body=f"Payout {_money(offer.payout)} {offer.currency} ({offer.get_payout_type_display()}).",
            link=link,
        )
    if created:
        return told
    running = affiliates_running(offer)
    status = changes.get("status")
    if status and status[1] in (Offer.Status.PAUSED, Offer.Status.ARCHIVED):
        told += event_record(
            kind=Kind.OFFER_STATUS,
            event_key=f"offer_status:{offer.pk}:{status[1]}:{stamp}",
            users=affiliate_users(running),
            title=f"{offer.name} is {status[1]}",
            body="Its clicks now go to its fallback page."
            if status[1] == Offer.Status.PAUSED
            else "It takes no traffic.",
            link=link,
        )
    details = []
    if "payout" in changes or "payout_type" in changes:
        details.append(f"Payout is now {_money(offer.payout)} {offer.currency} ({offer.get_payout_type_display()}).")
    if "destination_url" in changes:
        details.append("Its landing page changed.")
    if details and offer.status != Offer.Status.ARCHIVED:
        told += event_record(
            kind=Kind.OFFER_CHANGED,
            event_key=f"offer_changed:{offer.pk}:{stamp}",
            users=affiliate_users(running),
            title=f"{offer.name} changed",
            body=" ".join(details),
            link=link,
        )
    return told


def delivery_failed(*, delivery_id):
    """Postbacks to an affiliate are being given up: the managers hear of it once per affiliate and network day."""
    delivery = PostbackDelivery.objects.select_related("conversion__affiliate").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != PostbackDelivery.Status.FAILED:
        return 0
    affiliate = delivery.conversion.affiliate
    today = network_today()
    failed_today = PostbackDelivery.objects.filter(
        conversion__affiliate=affiliate,
        status=PostbackDelivery.Status.FAILED,
        updated_at__gte=period_starts(timezone.now())[0],
    ).count()
    return event_record(
        kind=Kind.POSTBACKS_FAILING,
        event_key=f"postbacks_failing:{affiliate.pk}:{today}",
        users=managers(),
        title=f"Postbacks to {affiliate.name} are failing",
        body=f"{failed_today} given up today; the last: {delivery.last_error or 'no answer'}.",
        link=reverse("manager:affiliate_detail", args=[affiliate.pk]),
    )


# --- Beat checks --------------------------------------------------------------------------------------------


def caps_check(*, now=None):
    """Each active capped offer at 80 % or 100 % of its daily or monthly cap, counted as the postback pipeline
    counts (approved and pending): the managers hear of each threshold once per period. Returns how many told."""
    now = now or timezone.now()
    day_start, month_start = period_starts(now)
    told = 0
    capped = Offer.objects.filter(status=Offer.Status.ACTIVE).filter(
        Q(daily_cap__isnull=False) | Q(monthly_cap__isnull=False)
    )
    for offer in capped:
        counted = Conversion.objects.filter(offer=offer).exclude(status=Conversion.Status.REJECTED)
        for period, cap, start in (("daily", offer.daily_cap, day_start), ("monthly", offer.monthly_cap, month_start)):
            if not cap:
                continue
            used = counted.filter(created_at__gte=start).count()
            reached = next((t for t in CAP_THRESHOLDS if used * 100 >= cap * t), None)
            if reached is None:
                continue
            told += event_record(
                kind=Kind.OFFER_CAP,
                event_key=f"offer_cap:{offer.pk}:{period}:{start.date()}:{reached}",
                users=managers(),
                title=f"{offer.name} is at {reached} % of its {period} cap ({used} of {cap})",
                body="Further conversions are refused (cap_reached)." if reached == 100 else "",
                link=reverse("manager:offer_detail", args=[offer.pk]),
            )
    return told


def refusals_check(*, now=None):
    """A spike of one reason code among refused postbacks: at least TALLY_NOTIFY_SPIKE_THRESHOLD refusals for the
    same reason within the last TALLY_NOTIFY_SPIKE_MINUTES. The managers hear of each reason at most once an hour."""
    now = now or timezone.now()
    since = now - timedelta(minutes=settings.TALLY_NOTIFY_SPIKE_MINUTES)
    spikes = (
        PostbackLog.objects.filter(verdict=PostbackLog.Verdict.REJECTED, is_test=False, received_at__gte=since)
        .values("reason")
        .annotate(n=Count("pk"))
        .filter(n__gte=settings.TALLY_NOTIFY_SPIKE_THRESHOLD)
    )
    told = 0
    for spike in spikes:
        reason, count = spike["reason"], spike["n"]
        told += event_record(
            kind=Kind.POSTBACKS_REFUSED,
            event_key=f"postbacks_refused:{reason}:{now:%Y-%m-%dT%H}",
            users=managers(),
            title=f"{count} postbacks refused for {reason} in {settings.TALLY_NOTIFY_SPIKE_MINUTES} minutes",
            body="An advertiser's integration may be broken: see the postback log.",
            link=reverse("manager:postback_log_list") + f"?verdict=rejected&reason={reason}",
        )
    return told


INTEGRATION_LOOKBACK = timedelta(minutes=10)


def integration_tests_check(*, now=None):
    """Postbacks that passed for a click of the network's test affiliate (an advertiser's live integration test)
    in the last few minutes: the advertiser's people hear of each test click once."""
    now = now or timezone.now()
    passed = PostbackLog.objects.filter(
        is_test=True,
        received_at__gte=now - INTEGRATION_LOOKBACK,
        verdict__in=[PostbackLog.Verdict.APPROVED, PostbackLog.Verdict.PENDING],
        offer__isnull=False,
    ).select_related("offer")
    told = 0
    for log in passed:
        transaction_id = str(log.params.get("transaction_id", "")).strip()[:64]
        if (
            not transaction_id
            or not Click.objects.filter(
                transaction_id=transaction_id, affiliate__is_test=True, offer=log.offer
            ).exists()
        ):
            continue
        told += event_record(
            kind=Kind.INTEGRATION_TEST,
            event_key=f"integration_test:{log.offer_id}:{transaction_id}",
            users=advertiser_users(log.offer.advertiser_id),
            title=f"Your integration test of {log.offer.name} succeeded",
            body="Tally received your postback for the test click and every rule passed.",
            link=reverse("advertiser:integration_test", args=[log.offer_id, transaction_id]),
        )
    return told
