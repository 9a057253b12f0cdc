"""Sending one affiliate postback (docs/affiliate-postbacks.md): claim the delivery row, make one signed GET
through `conversions.outbound`, log the attempt, then mark the row delivered, schedule the next attempt
(exponential backoff with jitter) or give up."""

import random
from datetime import timedelta
from urllib.parse import urlsplit

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from conversions import outbound, signing
from conversions.models import PostbackAttempt, PostbackDelivery
from offers.macros import fill, time_values, without_advertiser_values
from tracking.models import SUB_FIELDS

# Answers worth trying again besides 5xx: the affiliate's server asked us to come back later.
RETRY_STATUSES = {408, 425, 429}
SNIPPET_CHARS = 1000

# delivery_failed(delivery): a delivery was given up (after its retries, or at once for an answer not worth
# retrying). Sent after the commit, from the worker, for the layers above (notifications) to tell the managers.
delivery_failed = Signal()


def delivery_url(delivery):
    """The URL to call: the postback's current template filled with the conversion's values (amount and adv_sub
    only where the network passes advertiser values through: offers.macros.without_advertiser_values)."""
    conversion = delivery.conversion
    # The click's values as the conversion copied them: the click itself may be gone (README, Data retention).
    values = {name: getattr(conversion, name) for name in SUB_FIELDS}
    values.update(
        transaction_id=conversion.transaction_id,
        affiliate_id=conversion.affiliate_id,
        offer_id=conversion.offer_id,
        advertiser_id=conversion.offer.advertiser_id,
        **time_values(conversion.created_at),
        conversion_id=conversion.pk,
        payout=conversion.payout,
        amount=conversion.amount,
        currency=conversion.currency,
        adv_sub=conversion.adv_sub,
        goal_id=conversion.goal_id or "",
        status=delivery.conversion_status,
    )
    return fill(delivery.postback.url, without_advertiser_values(values))


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
    delivery = PostbackDelivery.objects.select_related("postback", "conversion__affiliate", "conversion__offer").get(
        pk=delivery_id
    )
    attempted_at = timezone.now()
    if delivery.postback is None:
        answer = outbound.Answer(url="", error="the affiliate removed this postback URL", refused=True)
    else:
        url = delivery_url(delivery)
        query = urlsplit(url).query
        # The current secret, and the previous one during the grace period after a rotation (two v1= values).
        signature = signing.sign_with(delivery.conversion.affiliate.postback_signing_secrets(), query)
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
            transaction.on_commit(lambda: delivery_failed.send(sender=PostbackDelivery, delivery=delivery))
    delivery.save(
        update_fields=["attempts", "queued_at", "status", "next_attempt_at", "delivered_at", "last_error", "updated_at"]
    )
    return delivery
