"""Rollups stay equal to the raw rows: the refresh job, status changes, the rebuild command, network days."""

import random
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from conversions.models import Conversion
from conversions.services import conversion_set_status
from core.periods import network_tz
from reports.models import DailyAffiliateStat, DailyOfferStat, DailyStat, DailySubStat, RollupState
from reports.selectors import report_rows
from reports.services import COUNT_FIELDS, ROLLUPS, rollups_rebuild, rollups_refresh
from tests import factories
from tests.reports.conftest import DAY, at, click_at, conversion_at, report, user_of
from tracking.models import Click

pytestmark = pytest.mark.django_db

APPROVED, PENDING, REJECTED = Conversion.Status.APPROVED, Conversion.Status.PENDING, Conversion.Status.REJECTED


def day_rows(user, first, last):
    return [(r.label, r.clicks) for r in report_rows(user=user, group_by="day", date_from=first, date_to=last)]


def test_a_refresh_counts_clicks_made_since_the_last_one_and_keeps_earlier_days(manager):
    click_at("2025-03-09 10:00")
    rollups_refresh(now=at("2025-03-10 09:00"))
    click_at("2025-03-10 09:30")
    click_at("2025-03-10 09:31")

    before = day_rows(manager, date(2025, 3, 9), DAY)
    rollups_refresh(now=at("2025-03-10 10:00"))

    assert before == [("2025-03-09", 1)]
    assert day_rows(manager, date(2025, 3, 9), DAY) == [("2025-03-09", 1), ("2025-03-10", 2)]
    assert RollupState.objects.get().covered_until == at("2025-03-10 10:00")


def test_a_refresh_recounts_a_click_that_committed_late_within_the_margin(manager):
    rollups_refresh(now=at("2025-03-10 00:01"))
    # Stamped before the last refresh, committed after it (a slow transaction), on the previous day.
    click_at("2025-03-09 23:59")

    rollups_refresh(now=at("2025-03-10 00:02"))

    assert day_rows(manager, date(2025, 3, 9), DAY) == [("2025-03-09", 1)]


def test_the_refresh_task_brings_the_rollups_up_to_now(manager):
    from reports.tasks import refresh_rollups

    click_at(timezone.now())

    refresh_rollups()

    assert DailyStat.objects.get().clicks == 1
    assert RollupState.objects.get().covered_until <= timezone.now()


def test_approving_a_pending_conversion_moves_it_and_its_money_at_once(manager):
    click = click_at("2025-03-10 09:00", aff_sub="spring")
    conversion = conversion_at(
        "2025-03-10 10:00", click=click, status=PENDING, payout=Decimal("5.00"), revenue=Decimal("8.00")
    )
    rollups_refresh(now=at("2025-03-10 12:00"))

    conversion_set_status(conversion=conversion, status=APPROVED, user=manager)
    (row,) = report(manager, "offer", refresh=False)

    assert (row.conversions, row.pending, row.payout, row.revenue) == (1, 0, Decimal("5.00"), Decimal("8.00"))
    sub_row = DailySubStat.objects.get(aff_sub="spring")
    assert (sub_row.approved, sub_row.pending, sub_row.payout) == (1, 0, Decimal("5.00"))


def test_rejecting_an_approved_conversion_takes_its_money_back_out(manager):
    conversion = conversion_at("2025-03-10 10:00", status=APPROVED, payout=Decimal("5.00"), revenue=Decimal("8.00"))
    conversion_at(
        "2025-03-10 10:00", click=conversion.click, status=APPROVED, payout=Decimal("1.10"), revenue=Decimal("0")
    )
    rollups_refresh(now=at("2025-03-10 12:00"))

    conversion_set_status(conversion=conversion, status=REJECTED, reason="fraud", user=manager)
    (row,) = report(manager, "offer", refresh=False)

    assert (row.conversions, row.rejected, row.payout, row.revenue) == (1, 1, Decimal("1.10"), Decimal("0.00"))


def test_a_status_change_of_a_conversion_newer_than_the_rollups_is_left_to_the_next_refresh(manager):
    rollups_refresh(now=at("2025-03-10 12:00"))
    conversion = conversion_at("2025-03-10 12:30", status=PENDING)

    conversion_set_status(conversion=conversion, status=APPROVED, user=manager)
    assert DailyStat.objects.count() == 0

    rollups_refresh(now=at("2025-03-10 13:00"))
    (row,) = report(manager, "offer", refresh=False)
    assert (row.conversions, row.pending) == (1, 0)


def test_a_status_change_never_drives_a_count_below_zero_when_the_rollup_missed_the_conversion(manager):
    click = click_at("2025-03-10 11:00")
    rollups_refresh(now=at("2025-03-10 12:00"))
    # Stamped before that refresh but committed after it: the row exists and holds no pending conversion.
    late = conversion_at("2025-03-10 11:59", click=click, status=PENDING)

    conversion_set_status(conversion=late, status=APPROVED, user=manager)
    assert (DailyStat.objects.get().pending, DailyStat.objects.get().approved) == (0, 0)

    rollups_refresh(now=at("2025-03-10 12:01"))
    assert (DailyStat.objects.get().pending, DailyStat.objects.get().approved) == (0, 1)


# --- network days ------------------------------------------------------------------------------------------------


def test_days_are_cut_at_midnight_in_a_half_hour_offset_network_zone(manager, network_tz):
    network_tz("Asia/Kolkata")  # UTC+05:30
    click_at("2025-03-09 18:29")  # 23:59 on the 9th in Kolkata
    click_at("2025-03-09 18:30")  # 00:00 on the 10th
    click_at("2025-03-10 18:29")  # 23:59 on the 10th
    conversion_at("2025-03-10 18:30", click=click_at("2025-03-10 18:30"))  # 00:00 on the 11th

    rollups_refresh()

    assert day_rows(manager, date(2025, 3, 9), date(2025, 3, 11)) == [
        ("2025-03-09", 1),
        ("2025-03-10", 2),
        ("2025-03-11", 1),
    ]
    (eleventh,) = report(manager, "day", date_from=date(2025, 3, 11), date_to=date(2025, 3, 11), refresh=False)
    assert eleventh.conversions == 1


def test_changing_the_network_zone_recuts_every_day_on_the_next_refresh(manager, network_tz):
    click_at("2025-03-09 20:00")
    rollups_refresh(now=at("2025-03-12 00:00"))
    assert day_rows(manager, date(2025, 3, 9), DAY) == [("2025-03-09", 1)]

    network_tz("Asia/Kolkata")
    rollups_refresh(now=at("2025-03-12 00:01"))

    assert day_rows(manager, date(2025, 3, 9), DAY) == [("2025-03-10", 1)]
    assert RollupState.objects.get().time_zone == "Asia/Kolkata"


def test_a_status_change_after_the_zone_changed_waits_for_the_recut(manager, network_tz):
    conversion = conversion_at("2025-03-09 20:00", status=PENDING)
    rollups_refresh(now=at("2025-03-12 00:00"))
    network_tz("Asia/Kolkata")

    conversion_set_status(conversion=conversion, status=APPROVED, user=manager)

    assert DailyStat.objects.get(day=date(2025, 3, 9)).pending == 1


# --- rebuild -----------------------------------------------------------------------------------------------------


def test_rebuild_rollups_recomputes_every_day_from_raw_rows(manager):
    click_at("2025-03-10 10:00")
    rollups_refresh(now=at("2025-03-10 11:00"))
    DailyStat.objects.update(clicks=99)  # rollups gone wrong (restored backup, manual edit, bug)
    out = StringIO()

    call_command("rebuild_rollups", stdout=out)

    assert DailyStat.objects.get().clicks == 1
    assert "Rebuilt rollups for every day: 1 rows" in out.getvalue()


def test_rebuild_rollups_from_a_day_leaves_earlier_days_alone(manager):
    click_at("2025-03-09 10:00")
    click_at("2025-03-10 10:00")
    rollups_refresh(now=at("2025-03-11 00:00"))
    DailyStat.objects.update(clicks=7)

    rollups_rebuild(first_day=DAY, now=at("2025-03-11 00:00"))

    assert sorted(DailyStat.objects.values_list("day", "clicks")) == [(date(2025, 3, 9), 7), (DAY, 1)]


def test_rebuild_from_a_day_starts_earlier_when_the_rollups_were_not_current_up_to_it(manager):
    rollups_refresh(now=at("2025-03-01 00:00"))
    click_at("2025-03-05 10:00")
    click_at("2025-03-10 10:00")

    rollups_rebuild(first_day=DAY, now=at("2025-03-11 00:00"))

    assert DailyStat.objects.count() == 2


# --- rollups equal a direct aggregation ---------------------------------------------------------------------------


def direct(user_rows_key, clicks, conversions, tz):
    """Reports computed straight from raw rows, without rollups: {(group, currency): (counts..., payout, revenue)}."""
    totals = defaultdict(lambda: [0, 0, 0, 0, 0, Decimal("0"), Decimal("0")])
    for click in clicks:
        day = timezone.localtime(click.created_at, tz).date()
        entry = totals[(user_rows_key(click, day), click.offer.currency)]
        entry[0] += 1
        entry[1] += click.is_unique
    for conversion in conversions:
        day = timezone.localtime(conversion.created_at, tz).date()
        entry = totals[(user_rows_key(conversion, day), conversion.offer.currency)]
        index = {APPROVED: 2, PENDING: 3, REJECTED: 4}[conversion.status]
        entry[index] += 1
        if conversion.status == APPROVED:
            entry[5] += conversion.payout
            entry[6] += conversion.revenue
    return {key: tuple(value) for key, value in totals.items()}


GROUP_KEYS = {
    "affiliate": lambda row, day: row.affiliate_id,
    "offer": lambda row, day: row.offer_id,
    "advertiser": lambda row, day: row.offer.advertiser_id,
    "day": lambda row, day: day,
}


def from_report(rows):
    return {
        (r.key, r.currency): (r.clicks, r.unique_clicks, r.conversions, r.pending, r.rejected, r.payout, r.revenue)
        for r in rows
    }


def test_rollups_equal_a_direct_aggregation_of_random_data(manager, network_tz):
    network_tz("Asia/Kolkata")
    rng = random.Random(20250310)
    advertisers = factories.AdvertiserFactory.create_batch(3)
    offers = [
        factories.OfferFactory(advertiser=rng.choice(advertisers), currency=rng.choice(["USD", "USD", "EUR"]))
        for _ in range(6)
    ]
    affiliates = factories.AffiliateFactory.create_batch(4)
    goals = [factories.GoalFactory(offer=offer) for offer in offers[:2]]
    start = at("2025-03-01 00:00")
    clicks, conversions = [], []

    def money():
        return Decimal(rng.randrange(0, 5000)) / 100

    for phase in range(1, 6):
        phase_end = start + timedelta(hours=30 * phase)
        for _ in range(40):
            when = phase_end - timedelta(minutes=rng.randrange(1, 30 * 60))
            click = click_at(
                when,
                offer=rng.choice(offers),
                affiliate=rng.choice(affiliates),
                aff_sub=rng.choice(["", "a", "b", "=cmd"]),
                is_unique=rng.random() < 0.7,
            )
            clicks.append(click)
        for _ in range(15):
            when = phase_end - timedelta(minutes=rng.randrange(1, 30 * 60))
            status = rng.choice([APPROVED, APPROVED, PENDING, REJECTED])
            if rng.random() < 0.2:  # partner-ID conversion, no click
                offer = rng.choice(offers)
                kwargs = {"click": None, "offer": offer, "affiliate": rng.choice(affiliates)}
            else:
                click = rng.choice(clicks)
                kwargs = {
                    "click": click,
                    "goal": rng.choice([None, *[g for g in goals if g.offer_id == click.offer_id]]),
                }
            kwargs.update(status=status, payout=money(), revenue=money(), currency="USD")
            conversions.append(conversion_at(when, **kwargs))
        for conversion in rng.sample(conversions, k=min(5, len(conversions))):
            conversion_set_status(conversion=conversion, status=rng.choice([APPROVED, PENDING, REJECTED]))
        rollups_refresh(now=phase_end)
        with time_machine.travel(phase_end):
            for conversion in rng.sample(conversions, k=3):
                conversion_set_status(conversion=conversion, status=rng.choice([APPROVED, PENDING, REJECTED]))

    clicks = list(Click.objects.select_related("offer"))
    conversions = list(Conversion.objects.select_related("offer", "click"))
    assert len(clicks) == 200 and len(conversions) == 75
    first, last = date(2025, 2, 28), date(2025, 3, 8)
    tz = network_tz_object()
    for group_by, key in GROUP_KEYS.items():
        rows = report_rows(user=manager, group_by=group_by, date_from=first, date_to=last)
        assert from_report(rows) == direct(key, clicks, conversions, tz), group_by

    # The other rollups answer too: one pair filtered (DailyStat), an affiliate by sub ID (DailySubStat).
    affiliate = affiliates[0]
    rows = report_rows(user=manager, group_by="offer", date_from=first, date_to=last, filters={"affiliate": affiliate})
    my_clicks = [c for c in clicks if c.affiliate_id == affiliate.pk]
    my_conversions = [c for c in conversions if c.affiliate_id == affiliate.pk]
    assert from_report(rows) == direct(GROUP_KEYS["offer"], my_clicks, my_conversions, tz)
    rows = report_rows(user=user_of(affiliate), group_by="sub", date_from=first, date_to=last)
    expected = direct(sub_of, my_clicks, my_conversions, tz)
    # An affiliate's rows carry no revenue: compare the counts and the payout.
    assert {k: v[:6] for k, v in from_report(rows).items()} == {k: v[:6] for k, v in expected.items()}

    # Rebuilding from scratch gives the same rows as the refreshes and status changes did, at every level.
    before = {model: rollup_rows(model) for model in ROLLUPS}
    rollups_rebuild()
    assert {model: rollup_rows(model) for model in ROLLUPS} == before
    assert Counter(r[0] for r in DailySubStat.objects.values_list("aff_sub"))["=cmd"] > 0


def sub_of(row, day):
    if isinstance(row, Click):
        return row.aff_sub
    return row.click.aff_sub if row.click_id else ""


def rollup_rows(model):
    return sorted(
        tuple(str(v) for v in row) for row in model.objects.values_list("day", "currency", *COUNT_FIELDS, *KEYS[model])
    )


KEYS = {DailySubStat: ("offer", "affiliate", "aff_sub"), DailyStat: ("offer", "affiliate")}
KEYS |= {DailyOfferStat: ("offer",), DailyAffiliateStat: ("affiliate",)}


def network_tz_object():
    return network_tz()
