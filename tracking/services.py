from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from core.sql import insert_flagged
from partners.services import network_test_affiliate
from tracking.models import Click

UNIQUE_WINDOW = timedelta(hours=24)


def click_record(*, offer, affiliate, subs, ip, user_agent, referer, now=None):
    """Store one click (a session) and return it; its expiry is fixed now from the offer's lifespan."""
    return click_insert(
        click=click_build(
            offer=offer, affiliate=affiliate, subs=subs, ip=ip, user_agent=user_agent, referer=referer, now=now
        )
    )


def click_build(*, offer, affiliate, subs, ip, user_agent, referer, now=None, country="", device="", os="") -> Click:
    """An unsaved click with its transaction ID, time and expiry fixed now, so the landing URL can be filled
    (and measured) before click_insert stores exactly that click. country, device and os are what the click's
    screening told (quality.services.click_screen; README, Traffic quality)."""
    now = now or timezone.now()
    return Click(
        offer=offer,
        affiliate=affiliate,
        ip=ip,
        user_agent=user_agent,
        referer=referer,
        country=country,
        device=device,
        os=os,
        created_at=now,
        expires_at=now + timedelta(hours=offer.session_hours),
        **subs,
    )


def click_insert(*, click: Click) -> Click:
    """Store an unsaved click in one statement, which also decides is_unique (docs/clicks.md#unique-clicks: no click
    with the same IP and user agent on this offer through this affiliate in the 24 hours before), using the
    click_unique_lookup index. Returns the click with its id and is_unique set."""
    return insert_flagged(
        click,
        "is_unique",
        same=("offer", "affiliate", "ip", "user_agent"),
        since=("created_at", click.created_at - UNIQUE_WINDOW),
    )


EXPIRY_BATCH_SIZE = 5000


def _in_batches(queryset, update, batch_size):
    """Apply update to the rows of queryset, batch_size at a time (each batch a short statement of its own, so
    a backlog of millions never holds long locks); the queryset must stop matching rows once updated."""
    done = 0
    while True:
        ids = list(queryset.values_list("pk", flat=True)[:batch_size])
        if not ids:
            return done
        done += queryset.filter(pk__in=ids).update(**update)


def sessions_expire(*, now=None, batch_size=EXPIRY_BATCH_SIZE):
    """Mark clicks whose session has ended as expired, and erase the IP, user agent and referer of those that
    ended more than TALLY_CLICK_RETENTION_DAYS ago. Idempotent: a second run finds nothing left to do.

    Attribution never depends on this job: the postback decides expiry by the click's expires_at alone.
    Returns how many clicks were marked expired and how many were erased."""
    now = now or timezone.now()
    ended = Click.objects.filter(expired=False, expires_at__lt=now).order_by("expires_at")
    expired = _in_batches(ended, {"expired": True}, batch_size)
    cutoff = now - timedelta(days=settings.TALLY_CLICK_RETENTION_DAYS)
    keeping = (
        Click.objects.filter(expired=True, expires_at__lt=cutoff)
        .filter(Q(ip__isnull=False) | ~Q(user_agent="") | ~Q(referer=""))
        .order_by("expires_at")
    )
    erased = _in_batches(keeping, {"ip": None, "user_agent": "", "referer": ""}, batch_size)
    return {"expired": expired, "erased": erased}


def integration_test_click(*, offer, ip=None, user_agent=""):
    """A click for an advertiser's live integration test: through the network's test affiliate, so it stays out
    of reports and a postback for it runs every rule but records no conversion. Returns the click."""
    return click_record(
        offer=offer,
        affiliate=network_test_affiliate(),
        subs={"source": "integration-test"},
        ip=ip,
        user_agent=user_agent[:500],
        referer="",
    )
