"""Affiliate postbacks (SPEC §6): the affiliates' postback URLs, and the outbox of calls Tally owes them.

A conversion that earns a call gets a PostbackDelivery row in the same transaction (`deliveries_record`); after
commit a task is queued to send it. Sending (`delivery_attempt`) claims the row, makes one signed GET through
`conversions.outbound`, logs the attempt and either marks the row delivered, schedules the next attempt
(exponential backoff with jitter, kept in the row's next_attempt_at, never in a broker countdown) or gives up.
The periodic sweep (`deliveries_sweep`) queues whatever is due and carried by no task: retries, and rows whose
task was lost because the broker was down or a worker died.
"""

import logging
import random
import time
from datetime import timedelta
from urllib.parse import urlsplit

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from conversions import outbound, signing
from conversions.models import AffiliatePostback, Conversion, PostbackAttempt, PostbackDelivery
from offers.macros import POSTBACK_MACROS, fill, validate_url_template

logger = logging.getLogger(__name__)

# Answers worth trying again besides 5xx: the affiliate's server asked us to come back later.
RETRY_STATUSES = {408, 425, 429}
SNIPPET_CHARS = 1000
SWEEP_BATCH = 500


# --- The affiliate's postback URLs -------------------------------------------------------------------


def validate_postback_url(url, *, resolve=None):
    """Raise ValidationError unless url is a postback URL template Tally may call: known macros, http(s), and a
    host that is not (and does not resolve to) a loopback, private, link-local or other non-public address.

    A name that does not resolve now is accepted: the address is checked again before every request."""
    validate_url_template(url, known=POSTBACK_MACROS)
    try:
        outbound.check_url(url, resolve=resolve)
    except outbound.UnsafeURL as exc:
        if exc.code != "unresolvable":
            raise ValidationError(exc.message, code=f"unsafe_url_{exc.code}") from None


@transaction.atomic
def affiliate_postback_set(*, affiliate, url, offer=None, on_status_change=False):
    """Set the affiliate's postback URL (affiliate-wide, or for one offer); an empty url removes it.
    Returns the AffiliatePostback, or None when removed. Raises ValidationError for a URL Tally won't call."""
    url = (url or "").strip()
    current = AffiliatePostback.objects.select_for_update().filter(affiliate=affiliate, offer=offer).first()
    if not url:
        if current is not None:
            current.delete()
        return None
    validate_postback_url(url)
    postback = current or AffiliatePostback(affiliate=affiliate, offer=offer)
    postback.url = url
    postback.on_status_change = on_status_change
    postback.full_clean()
    postback.save()
    return postback


def postback_for(conversion):
    """The postback that applies to a conversion: the offer's own, else the affiliate-wide one, else None."""
    candidates = AffiliatePostback.objects.filter(affiliate_id=conversion.affiliate_id).filter(
        Q(offer_id=conversion.offer_id) | Q(offer__isnull=True)
    )
    return min(candidates, key=lambda p: p.offer_id is None, default=None)


# --- The outbox --------------------------------------------------------------------------------------


def deliveries_record(*, conversion, old_status=None):
    """Write the deliveries a conversion's new status earns, in the caller's transaction, and queue them after
    commit. Call it when a conversion is recorded (old_status None) and when its status changes.

    A plain postback gets one delivery, the first time the conversion is approved; a status-change postback
    gets one each time the conversion takes a status. Returns the new deliveries."""
    postback = postback_for(conversion)
    if postback is None or conversion.status == old_status:
        return []
    if postback.on_status_change:
        is_update = True
    elif conversion.status == Conversion.Status.APPROVED:
        is_update = False
        if PostbackDelivery.objects.filter(conversion=conversion, postback=postback, is_status_update=False).exists():
            return []
    else:
        return []
    now = timezone.now()
    delivery = PostbackDelivery.objects.create(
        conversion=conversion,
        postback=postback,
        conversion_status=conversion.status,
        is_status_update=is_update,
        next_attempt_at=now,
        queued_at=now,
        give_up_at=now + timedelta(hours=settings.TALLY_POSTBACK_RETRY_HOURS),
    )
    transaction.on_commit(lambda: deliveries_enqueue([delivery.pk]))
    return [delivery]


# Monotonic time until which this process doesn't try the broker again after failing to reach it, so that
# during an outage postbacks don't each pay for a failed connection.
_broker_pause_until = 0.0


def deliveries_enqueue(delivery_ids):
    """Queue one send task per delivery. Never raises: when the broker is unreachable the rows stay due and the
    sweep queues them later. Opens its connection from the app's current broker settings."""
    global _broker_pause_until
    from config.celery import app
    from conversions.tasks import postback_deliver

    if not delivery_ids:
        return 0
    if time.monotonic() < _broker_pause_until:
        logger.info("broker unreachable a moment ago; deliveries %s are left to the sweep", delivery_ids)
        return 0
    try:
        # One try, no reconnect loop: a postback must not wait on a dead broker (the sweep is the fallback).
        with app.connection_for_write(transport_options={"max_retries": 0}) as connection:
            for pk in delivery_ids:
                postback_deliver.apply_async((pk,), connection=connection, retry=False)
    except Exception:
        _broker_pause_until = time.monotonic() + settings.TALLY_POSTBACK_BROKER_PAUSE_SECONDS
        logger.warning("could not queue postback deliveries %s; the sweep will send them", delivery_ids, exc_info=True)
        return 0
    return len(delivery_ids)


def deliveries_sweep(*, now=None, limit=SWEEP_BATCH):
    """Queue pending deliveries that are due and that no task is carrying (never queued, or queued more than
    TALLY_POSTBACK_REQUEUE_SECONDS ago). Returns how many were queued."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.TALLY_POSTBACK_REQUEUE_SECONDS)
    due = PostbackDelivery.objects.filter(status=PostbackDelivery.Status.PENDING, next_attempt_at__lte=now).filter(
        Q(queued_at__isnull=True) | Q(queued_at__lt=stale)
    )
    ids = list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    if not ids:
        return 0
    # Mark them queued first, so the next sweep leaves them to their tasks. A task that finds its delivery
    # already sent or in flight does nothing, so queueing one twice never sends it twice.
    due.filter(pk__in=ids).update(queued_at=now)
    return deliveries_enqueue(ids)


# --- Sending -----------------------------------------------------------------------------------------


def delivery_url(delivery):
    """The URL to call: the postback's current template filled with the conversion's values."""
    conversion = delivery.conversion
    values = conversion.click.macro_values() if conversion.click_id else {}
    values.update(
        affiliate_id=conversion.affiliate_id,
        offer_id=conversion.offer_id,
        advertiser_id=conversion.offer.advertiser_id,
        date=conversion.created_at.strftime("%Y-%m-%d"),
        datetime=conversion.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        timestamp=int(conversion.created_at.timestamp()),
        conversion_id=conversion.pk,
        payout=conversion.payout,
        amount=conversion.amount,
        currency=conversion.currency,
        adv_sub=conversion.adv_sub,
        goal_id=conversion.goal_id or "",
        status=delivery.conversion_status,
    )
    return fill(delivery.postback.url, values)


def _claim(delivery_id, now):
    """Take a due pending delivery for this worker (an atomic UPDATE: exactly one caller wins). Its next_attempt_at
    moves TALLY_POSTBACK_CLAIM_SECONDS ahead, longer than any one attempt can take (the task's hard time limit is
    60 s), so no one else sends it meanwhile; if this worker dies mid-attempt, the sweep sends it after that."""
    return PostbackDelivery.objects.filter(
        pk=delivery_id, status=PostbackDelivery.Status.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + timedelta(seconds=settings.TALLY_POSTBACK_CLAIM_SECONDS), queued_at=None)


def _backoff(attempts):
    """Seconds before the next try after `attempts` failures: doubling from the base up to the maximum, with
    jitter (a random point in the upper half), so many failed deliveries don't all come back at once."""
    base = settings.TALLY_POSTBACK_RETRY_BASE_SECONDS
    delay = min(settings.TALLY_POSTBACK_RETRY_MAX_SECONDS, base * 2 ** min(attempts - 1, 32))
    return random.uniform(delay / 2, delay)


def delivery_attempt(*, delivery_id):
    """Make one attempt at a due delivery, if no one else is making it. Returns the delivery, or None when it
    was not due (already sent, in flight elsewhere, or not yet time)."""
    if not _claim(delivery_id, timezone.now()):
        return None
    delivery = PostbackDelivery.objects.select_related(
        "postback", "conversion__affiliate", "conversion__offer", "conversion__click"
    ).get(pk=delivery_id)
    attempted_at = timezone.now()
    if delivery.postback is None:
        answer = outbound.Answer(url="", error="the affiliate removed this postback URL", refused=True)
    else:
        url = delivery_url(delivery)
        query = urlsplit(url).query
        signature = signing.sign(delivery.conversion.affiliate.postback_secret, query)
        try:
            answer = outbound.fetch(url, headers={"X-Tally-Signature": signature})
        except SoftTimeLimitExceeded:
            answer = outbound.Answer(url=url, error="the attempt took too long and was stopped")
    return _record(delivery, answer, attempted_at)


@transaction.atomic
def _record(delivery, answer, attempted_at):
    snippet = answer.body[: SNIPPET_CHARS * 4].decode("utf-8", errors="replace")[:SNIPPET_CHARS]
    PostbackAttempt.objects.create(
        delivery=delivery,
        attempted_at=attempted_at,
        url=answer.url,
        status_code=answer.status_code,
        duration_ms=answer.duration_ms,
        error=answer.error[:500],
        response_snippet=snippet.replace("\x00", "\ufffd"),
    )
    now = timezone.now()
    delivery.attempts += 1  # the row is claimed: no one else writes it until next_attempt_at moves
    delivery.queued_at = None
    retry = not answer.refused and (
        answer.status_code is None or answer.status_code >= 500 or answer.status_code in RETRY_STATUSES
    )
    if answer.ok:
        delivery.status, delivery.next_attempt_at, delivery.delivered_at = PostbackDelivery.Status.DELIVERED, None, now
        delivery.last_error = ""
    else:
        delivery.last_error = (answer.error or f"HTTP {answer.status_code}")[:500]
        if retry and now < delivery.give_up_at:
            delivery.next_attempt_at = min(now + timedelta(seconds=_backoff(delivery.attempts)), delivery.give_up_at)
        else:
            delivery.status, delivery.next_attempt_at = PostbackDelivery.Status.FAILED, None
    delivery.save(
        update_fields=["attempts", "queued_at", "status", "next_attempt_at", "delivered_at", "last_error", "updated_at"]
    )
    return delivery


@transaction.atomic
def delivery_resend(*, delivery):
    """A manager's Resend: send a failed (or already delivered) delivery again, with a fresh retry window."""
    locked = PostbackDelivery.objects.select_for_update().get(pk=delivery.pk)
    if locked.status == PostbackDelivery.Status.PENDING:
        raise ValidationError("This postback is still being sent; wait for it to be delivered or to fail.")
    if locked.postback_id is None:
        raise ValidationError("The affiliate removed this postback URL; there is nothing to send it to.")
    now = timezone.now()
    locked.status = PostbackDelivery.Status.PENDING
    locked.next_attempt_at = locked.queued_at = now
    locked.give_up_at = now + timedelta(hours=settings.TALLY_POSTBACK_RETRY_HOURS)
    locked.save(update_fields=["status", "next_attempt_at", "queued_at", "give_up_at", "updated_at"])
    transaction.on_commit(lambda: deliveries_enqueue([locked.pk]))
    return locked
