"""Click retention (README, Data retention): clicks go whole, oldest first, TALLY_CLICK_RETENTION_DAYS after they
were made, never while a session that could still convert is among them.

On PostgreSQL the clicks table is partitioned by day (core.partitions, docs/storage.md) and a day goes as one
partition: a DETACH and a DROP, no row rewritten, no table bloat. Elsewhere (SQLite) the same clicks are deleted in
batches. Conversions keep what they need of their click (conversions.models.click_details) and reports read
rollups, so neither reads a dropped click; a postback for one answers expired_transaction (transaction_dropped).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Min
from django.utils import timezone

from core.partitions import is_partitioned, partitions, partitions_drop_before
from tracking.models import Click
from tracking.transaction_ids import time_of

DELETE_BATCH_SIZE = 5000


def click_horizon(now):
    """Clicks made before this instant are past retention."""
    return now - timedelta(days=settings.TALLY_CLICK_RETENTION_DAYS)


def clicks_cutoff(*, now, limit):
    """The instant before which every click may go: past retention, before `limit` (what the rollups hold), and
    before the oldest click whose session is still open (an offer's session_hours may exceed the retention: its
    clicks, and every later one, wait until the session ends; click_session_end finds them without a scan)."""
    cutoff = min(click_horizon(now), limit)
    # min() of an expression, not of the column: PostgreSQL would otherwise read the old partitions in created_at
    # order until it met an open session (all of them, when there is none) instead of probing click_session_end.
    still_open = Click.objects.filter(created_at__lt=cutoff, expires_at__gte=now).aggregate(
        first=Min(F("created_at") + timedelta(0))
    )
    if still_open["first"] is not None:
        cutoff = still_open["first"]
    return cutoff


def clicks_drop(*, before: datetime, batch_size=DELETE_BATCH_SIZE):
    """Drop the clicks made before `before`: on PostgreSQL the day partitions that end by then (a partition still
    holding a later click stays whole), elsewhere every such click, batch_size at a time. Returns
    {"partitions": [names], "deleted": rows deleted in batches}."""
    if is_partitioned(Click):
        return {"partitions": partitions_drop_before(Click, before), "deleted": 0}
    deleted = 0
    # One short DELETE per batch (conversions point at clicks without a constraint: nothing cascades).
    while ids := list(Click.objects.filter(created_at__lt=before).values_list("pk", flat=True)[:batch_size]):
        deleted += Click.objects.filter(pk__in=ids).delete()[0]
    return {"partitions": [], "deleted": deleted}


def clicks_kept_since():
    """(the oldest click's time, the start of the first day partition), either None: the rollups' rebuild reads it
    to leave alone the days whose clicks retention dropped (reports.services)."""
    oldest = Click.objects.aggregate(first=Min("created_at"))["first"]
    first_partition = None
    if is_partitioned(Click):
        existing = partitions(Click)
        first_partition = existing[0].start if existing else None
    return oldest, first_partition


def transaction_dropped(transaction_id, *, now=None):
    """Whether an unknown transaction ID may be that of a click retention dropped: its time (time-ordered IDs,
    tracking.transaction_ids) is past retention. A random ID of the old layout carries no time: never."""
    made = time_of(transaction_id)
    return made is not None and made < click_horizon(now or timezone.now())
