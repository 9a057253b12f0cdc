"""The outbox of affiliate postbacks Tally owes (docs/affiliate-postbacks.md).

A conversion that earns a call gets a PostbackDelivery row in the same transaction (`deliveries_record`); after
commit a task is queued to send it (conversions.sending makes the call). The periodic sweep (`deliveries_sweep`)
queues whatever is due and carried by no task: retries, and rows whose task was lost because the broker was down
or a worker died. Retry times live in the rows (next_attempt_at), never in a broker countdown.
"""

import logging
import time
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from conversions.models import Conversion, PostbackDelivery
from conversions.postback_urls import postback_for

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500
# Queued by name: the task module imports this one, so this one does not import it back.
DELIVER_TASK = "conversions.tasks.postback_deliver"


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
    if not delivery_ids:
        return 0
    if time.monotonic() < _broker_pause_until:
        logger.info("broker unreachable a moment ago; deliveries %s are left to the sweep", delivery_ids)
        return 0
    try:
        # One try, no reconnect loop: a postback must not wait on a dead broker (the sweep is the fallback).
        with current_app.connection_for_write(transport_options={"max_retries": 0}) as connection:
            for pk in delivery_ids:
                current_app.send_task(DELIVER_TASK, (pk,), connection=connection, retry=False)
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
