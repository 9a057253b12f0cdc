"""Keeping the rollups current.

The click and postback endpoints write nothing here (they stay one short transaction each). Instead a frequent
job (`reports.tasks.refresh_rollups`, every minute by beat) recomputes, from raw rows, every network day from the
one the previous run reached (less a safety margin for late commits) up to now; `manage.py rebuild_rollups`
recomputes everything. A conversion status change moves its count (and approved money) between the status columns
at once, in its own transaction. All three take the RollupState row lock, so they apply one after the other.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from conversions.models import Conversion
from core.periods import day_start, network_tz
from core.sql import analyze, insert_grouped, insert_sums
from offers.models import Offer
from reports.models import DailyAffiliateStat, DailyOfferStat, DailyStat, DailySubStat, RollupState
from tracking.models import Click
from tracking.retention import click_horizon, clicks_kept_since

# How late a click or conversion may commit after its created_at and still be counted by the next refresh.
LATE_COMMIT_MARGIN = timedelta(minutes=5)
COLUMN = {
    Conversion.Status.APPROVED: "approved",
    Conversion.Status.PENDING: "pending",
    Conversion.Status.REJECTED: "rejected",
}
COUNT_FIELDS = ("clicks", "unique_clicks", "approved", "pending", "rejected", "payout", "revenue")


def _locked_state():
    RollupState.objects.get_or_create(pk=1)
    return RollupState.objects.select_for_update().get(pk=1)


def _network_day(instant):
    return timezone.localtime(instant, network_tz()).date()


def _click_groups(first_day):
    # Clicks of the network's test affiliate are advertisers' integration tests, never traffic.
    clicks = Click.objects.filter(affiliate__is_test=False)
    if first_day is not None:
        clicks = clicks.filter(created_at__gte=day_start(first_day))
    return (
        clicks.annotate(day=TruncDate("created_at", tzinfo=network_tz()))
        .values("day", "offer_id", "affiliate_id", "aff_sub")
        .annotate(clicks=Count("pk"), unique_clicks=Count("pk", filter=Q(is_unique=True)))
        .order_by()
    )


def _conversion_groups(first_day):
    conversions = Conversion.objects.all()
    if first_day is not None:
        conversions = conversions.filter(created_at__gte=day_start(first_day))
    approved = Q(status=Conversion.Status.APPROVED)
    money = Conversion._meta.get_field("payout")
    return (
        conversions.annotate(
            day=TruncDate("created_at", tzinfo=network_tz()),
        )
        .values("day", "offer_id", "affiliate_id", "aff_sub")
        .annotate(
            approved=Count("pk", filter=approved),
            pending=Count("pk", filter=Q(status=Conversion.Status.PENDING)),
            rejected=Count("pk", filter=Q(status=Conversion.Status.REJECTED)),
            payout=Coalesce(Sum("payout", filter=approved), Value(0), output_field=money),
            revenue=Coalesce(Sum("revenue", filter=approved), Value(0), output_field=money),
        )
        .order_by()
    )


# Coarser rollups, each summed from the one before it: (table, key columns, currency is part of the key).
SUMMED_FROM_SUBS = ((DailyStat, ("day", "offer_id", "affiliate_id"), False),)
SUMMED_FROM_DAILY = (
    (DailyOfferStat, ("day", "offer_id"), False),
    (DailyAffiliateStat, ("day", "affiliate_id"), True),
)
ROLLUPS = (DailySubStat, DailyStat, DailyOfferStat, DailyAffiliateStat)


def _recompute(first_day):
    """Replace the rollup rows of every day from `first_day` (None: all days) by a fresh aggregation.

    The grouping queries are the ORM's (so the day is cut in the network zone on PostgreSQL and SQLite alike);
    their SQL is wrapped in one INSERT … SELECT, so no row passes through Python. Each coarser rollup is then
    summed from the finer one, so all four always agree."""
    for model in ROLLUPS:
        rows = model.objects.all()
        (rows.filter(day__gte=first_day) if first_day is not None else rows).delete()
    written = insert_sums(
        DailySubStat,
        ("day", "offer_id", "affiliate_id", "aff_sub"),
        COUNT_FIELDS,
        [
            (_click_groups(first_day), ("clicks", "unique_clicks")),
            (_conversion_groups(first_day), ("approved", "pending", "rejected", "payout", "revenue")),
        ],
        lookup=(Offer, "offer_id", "currency"),  # a sub-ID row's currency is its offer's
    )
    for target, key, by_currency in SUMMED_FROM_SUBS:
        _sum_into(target, DailySubStat, key, by_currency, first_day)
    for target, key, by_currency in SUMMED_FROM_DAILY:
        _sum_into(target, DailyStat, key, by_currency, first_day)
    if first_day is None:
        analyze(*ROLLUPS)  # every row is new: give the planner fresh statistics
    return written


def _sum_into(target, source, key, by_currency, first_day):
    """Fill `target` with `source` summed over everything but `key`: one INSERT … SELECT on either database."""
    insert_grouped(
        target,
        source,
        (*key, "currency") if by_currency else key,
        COUNT_FIELDS,
        any_of=() if by_currency else ("currency",),
        since=None if first_day is None else ("day", first_day),
    )


def _first_stale_day(state, now, first_day=None):
    """The first network day to recompute: None (all days) when nothing is covered or the zone changed; never a
    day whose clicks retention dropped (_first_complete_day)."""
    if state.covered_until is None or state.time_zone != settings.TALLY_NETWORK_TIME_ZONE:
        return _first_complete_day(None, state)
    stale = _network_day(min(state.covered_until, now) - LATE_COMMIT_MARGIN)
    return _first_complete_day(stale if first_day is None else min(first_day, stale), state)


def _first_complete_day(first_day, state):
    """`first_day`, or later: never a day whose clicks retention may have dropped, when it holds rollups. Retention
    drops clicks oldest first (README, Data retention), so the rollups are all that is left of a day that ended
    before the oldest click kept, or that began before the first day partition left (PostgreSQL partitions are UTC
    days: a network day across the boundary lost part of its clicks). Recomputing such a day from raw rows would
    wipe it. Days are taken in the zone the rollups were cut in, so that a change of zone still recuts the rest."""
    if first_day is not None and day_start(first_day) >= click_horizon(timezone.now()):
        return first_day  # retention drops nothing this recent: the minutely refresh asks no more
    oldest, first_partition = clicks_kept_since()
    oldest = oldest or timezone.now()  # no click at all: any earlier day may be one whose clicks all went
    zone = ZoneInfo(state.time_zone or settings.TALLY_NETWORK_TIME_ZONE)
    day = timezone.localtime(oldest, zone).date()
    if first_partition is not None and first_partition <= oldest:
        partial = timezone.localtime(first_partition, zone).date()
        starts = datetime.combine(partial, time.min, tzinfo=zone)
        day = max(day, partial + timedelta(days=1) if starts < first_partition else partial)
    if first_day is not None and first_day >= day:
        return first_day
    if not DailySubStat.objects.filter(day__lt=day).exists():
        return first_day
    return day


def rollups_complete_until():
    """The instant before which the rollups hold every click (None before the first refresh): retention drops no
    click after it (operations.retention)."""
    state = RollupState.objects.filter(pk=1).first()
    if state is None or state.covered_until is None or state.time_zone != settings.TALLY_NETWORK_TIME_ZONE:
        return None
    return state.covered_until - LATE_COMMIT_MARGIN


def _mark_covered(state, now):
    state.covered_until = now
    state.time_zone = settings.TALLY_NETWORK_TIME_ZONE
    state.refreshed_at = timezone.now()
    state.save()


@transaction.atomic
def rollups_refresh(*, now=None):
    """Bring the rollups up to now: recompute each network day from the last run's (less LATE_COMMIT_MARGIN).

    The first run, or the first after the network time zone changed, recomputes every day (but those whose clicks
    retention dropped: _first_complete_day). Returns the number of sub-ID rows written."""
    state = _locked_state()
    now = now or timezone.now()
    written = _recompute(_first_stale_day(state, now))
    _mark_covered(state, now)
    return written


@transaction.atomic
def rollups_rebuild(*, first_day=None, now=None):
    """Recompute the rollups from raw clicks and conversions: every day whose clicks are all kept, or every day from
    `first_day` on (earlier if the rollups were not current up to it). Returns the number of sub-ID rows written."""
    state = _locked_state()
    now = now or timezone.now()
    written = _recompute(
        _first_complete_day(None, state) if first_day is None else _first_stale_day(state, now, first_day)
    )
    _mark_covered(state, now)
    return written


def rollups_move_conversion(*, conversion, old_status):
    """Move one conversion's count (and its money when approved) from its old status to its current one.

    Call it inside the transaction that changed the status. A conversion the rollups do not hold yet (created
    after the last refresh) is left to the next refresh, which reads its new status from the raw row."""
    new_status = conversion.status
    if old_status == new_status:
        return
    state = _locked_state()
    if (
        state.covered_until is None
        or state.time_zone != settings.TALLY_NETWORK_TIME_ZONE
        or conversion.created_at >= state.covered_until
    ):
        return
    old_column, new_column = COLUMN[old_status], COLUMN[new_status]
    changes = {old_column: F(old_column) - 1, new_column: F(new_column) + 1}
    if Conversion.Status.APPROVED in (old_status, new_status):
        sign = 1 if new_status == Conversion.Status.APPROVED else -1
        changes["payout"] = F("payout") + sign * conversion.payout
        changes["revenue"] = F("revenue") + sign * conversion.revenue
    day = _network_day(conversion.created_at)
    sub = conversion.aff_sub
    finest = DailySubStat.objects.filter(
        day=day, offer_id=conversion.offer_id, affiliate_id=conversion.affiliate_id, aff_sub=sub
    )
    # A row whose count is already 0 never held this conversion (it committed after the refresh read it): the
    # next refresh recounts that day from raw rows, so leave every level alone rather than go below zero.
    held = finest.filter(**{f"{old_column}__gt": 0}).values_list("currency", flat=True).first()
    if held is None:
        return
    finest.update(**changes)
    DailyStat.objects.filter(day=day, offer_id=conversion.offer_id, affiliate_id=conversion.affiliate_id).update(
        **changes
    )
    DailyOfferStat.objects.filter(day=day, offer_id=conversion.offer_id).update(**changes)
    DailyAffiliateStat.objects.filter(day=day, affiliate_id=conversion.affiliate_id, currency=held).update(**changes)
