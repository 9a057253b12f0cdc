"""The retention job (README, Data retention): clicks and postback-log rows past retention go, by day partition on
PostgreSQL and in batches on SQLite; never a click whose day holds a session still open, never before the rollups
count it; reports keep their numbers; a postback for a dropped click is expired_transaction. Every test runs on
SQLite and, with DATABASE_URL set, on PostgreSQL."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from conversions.models import PostbackLog
from core.partitions import partitions, partitions_create_between, partitions_drop_before
from operations import retention, task_runs
from operations.tasks import retention_apply as retention_task
from reports.selectors import report_rows
from reports.services import rollups_rebuild, rollups_refresh
from tests import factories
from tests.factories import SECURITY_TOKEN
from tests.portal import postback_log
from tracking.models import Click
from tracking.transaction_ids import new_transaction_id

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture(autouse=True)
def past_partitions(now):
    """On PostgreSQL, the day partitions of clicks for the last 41 days (the migration makes them from its own day
    on): clicks made in the past land in them, not in the DEFAULT partition, which retention never drops."""
    partitions_create_between(Click, start=now - 41 * DAY, through=now)


def retention_apply(**kwargs):
    """The job, as it runs in production: on rows committed long ago. In a test's transaction PostgreSQL still owes
    the new rows' deferred foreign-key checks, and refuses to drop a table with checks pending: run them now."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    return retention.retention_apply(**kwargs)


def click_at(ago, now, session_hours=24, **fields):
    """A click made `ago` before `now` on an offer of its own with this session length."""
    offer = factories.OfferFactory(session_hours=session_hours)
    created_at = now - ago
    return factories.ClickFactory(
        offer=offer, created_at=created_at, expires_at=created_at + timedelta(hours=session_hours), **fields
    )


def kept():
    return set(Click.objects.values_list("pk", flat=True))


def dropped(result):
    """How many day partitions (PostgreSQL) or rows (SQLite) went."""
    return len(result["partitions"]) if connection.vendor == "postgresql" else result["deleted"]


def test_clicks_past_retention_go_and_newer_ones_stay(now):
    old, older = click_at(40 * DAY, now), click_at(35 * DAY, now)
    recent = click_at(5 * DAY, now)
    rollups_refresh()

    done = retention_apply()

    assert kept() == {recent.pk}
    if connection.vendor == "postgresql":  # whole partitions: the two clicks' days are gone from the catalogue
        assert not any(p.start <= click.created_at < p.end for p in partitions(Click) for click in (old, older))
    else:
        assert done["clicks"]["deleted"] == 2
    assert dropped(retention_apply()["clicks"]) == 0  # a second run finds nothing left


def test_an_open_session_holds_back_its_day_and_every_later_one_until_it_ends(now):
    long = click_at(40 * DAY, now, session_hours=8784)  # 366 days: still open
    after = click_at(35 * DAY, now)  # its own session ended long ago
    rollups_refresh()

    retention_apply()
    assert kept() == {long.pk, after.pk}

    later = now + 330 * DAY  # the long session has ended
    rollups_refresh(now=later)
    retention_apply(now=later)
    assert kept() == set()


def test_no_click_goes_before_the_rollups_count_it(now):
    click_at(40 * DAY, now)

    assert dropped(retention_apply()["clicks"]) == 0
    assert Click.objects.count() == 1

    rollups_refresh()
    retention_apply()
    assert Click.objects.count() == 0


def test_reports_keep_their_numbers_through_retention_a_refresh_and_a_rebuild(now, manager):
    for ago in (40, 40, 38, 3):
        click_at(ago * DAY, now)
    rollups_refresh()
    today = timezone.localdate()

    def by_day():
        rows = report_rows(user=manager, group_by="day", date_from=today - 45 * DAY, date_to=today)
        return sorted((row.key, row.clicks) for row in rows)

    before = by_day()
    assert sum(clicks for _, clicks in before) == 4

    retention_apply()
    assert Click.objects.count() == 1
    rollups_refresh(now=timezone.now() + timedelta(minutes=1))
    rollups_rebuild()

    assert by_day() == before


def test_a_rebuild_after_every_click_went_keeps_the_old_days(now, manager):
    click_at(40 * DAY, now)
    rollups_refresh()
    retention_apply()
    assert Click.objects.count() == 0

    rollups_rebuild()

    today = timezone.localdate()
    rows = report_rows(user=manager, group_by="day", date_from=today - 45 * DAY, date_to=today)
    assert [row.clicks for row in rows] == [1]


def postback(client, transaction_id):
    return client.get(
        "/postback", {"security_token": SECURITY_TOKEN, "transaction_id": transaction_id}, REMOTE_ADDR="192.0.2.10"
    )


def test_a_postback_for_a_dropped_click_is_expired_transaction_never_a_500(client, now):
    click = click_at(40 * DAY, now)
    rollups_refresh()
    retention_apply()

    response = postback(client, click.transaction_id)

    assert (response.status_code, response.json()["reason"]) == (410, "expired_transaction")
    log = PostbackLog.objects.get()
    assert (log.reason, log.http_status) == ("expired_transaction", 410)
    assert [(step["rule"], step["ok"]) for step in log.trace] == [
        ("missing_parameter", True),
        ("invalid_parameter", True),
        ("unknown_transaction", True),
        ("expired_transaction", False),
    ]


@pytest.mark.parametrize(
    "transaction_id",
    [
        pytest.param(lambda now: new_transaction_id(now - 2 * DAY), id="recent time-ordered ID"),
        pytest.param(lambda now: "0123456789abcdef0123456789abcdef", id="random ID of the old layout"),
    ],
)
def test_an_unknown_id_within_retention_or_without_a_time_stays_unknown_transaction(client, now, transaction_id):
    response = postback(client, transaction_id(now))
    assert (response.status_code, response.json()["reason"]) == (404, "unknown_transaction")


def test_postback_log_rows_go_after_their_own_retention_and_a_replay_stays(now, settings):
    settings.TALLY_POSTBACK_LOG_RETENTION_DAYS = 90
    partitions_create_between(PostbackLog, start=now - 101 * DAY, through=now)
    old = postback_log(received_at=now - 100 * DAY)
    recent = postback_log(received_at=now - 10 * DAY)
    replay = postback_log(received_at=now - 10 * DAY, replay_of=old)

    done = retention_apply()

    assert set(PostbackLog.objects.values_list("pk", flat=True)) == {recent.pk, replay.pk}
    assert dropped(done["postback_log"]) >= 1
    assert dropped(retention_apply()["postback_log"]) == 0


def test_beat_runs_the_retention_job_and_no_job_marks_sessions_any_more():
    scheduled = task_runs.periodic_tasks()
    assert "operations.tasks.retention_apply" in scheduled
    assert "tracking.tasks.sessions_expire" not in scheduled
    assert not hasattr(Click, "expired")


@pytest.mark.postgres
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_job_on_committed_rows_and_a_second_run_finds_nothing(worker, now):
    old, recent = click_at(40 * DAY, now), click_at(5 * DAY, now)
    rollups_refresh()

    first = worker.result(worker.send(retention_task, ignore_result=False))
    second = worker.result(worker.send(retention_task, ignore_result=False))

    assert any(p.startswith("tracking_click_p") for p in first["clicks"]["partitions"]), worker.log()
    assert second["clicks"]["partitions"] == [] and second["postback_log"]["partitions"] == []
    assert kept() == {recent.pk} and old.pk not in kept()


@pytest.mark.postgres
def test_a_network_day_that_lost_part_of_its_clicks_with_a_utc_day_partition_is_never_recomputed(
    now, manager, settings
):
    """Partitions are UTC days; a network day five and a half hours ahead straddles two of them. Once the earlier
    partition went, a rebuild recounting that network day from raw rows would find half of it."""
    settings.TALLY_NETWORK_TIME_ZONE = "Asia/Kolkata"
    boundary = (now - 35 * DAY).replace(hour=0, minute=0, second=0, microsecond=0)  # a partition's start (UTC)
    click_at(now - (boundary - timedelta(hours=2)), now)  # 03:30 in Kolkata, in the partition before the boundary
    click_at(now - (boundary + timedelta(hours=2)), now)  # 07:30 the same Kolkata day, in the next one
    click_at(3 * DAY, now)
    rollups_refresh()
    day = timezone.localtime(boundary, timezone.get_fixed_timezone(330)).date()

    def clicks_that_day():
        rows = report_rows(user=manager, group_by="day", date_from=day, date_to=day)
        return sum(row.clicks for row in rows)

    assert clicks_that_day() == 2
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert partitions_drop_before(Click, boundary)  # the partition of the 03:30 click, as retention drops it
    assert Click.objects.count() == 2

    rollups_rebuild()

    assert clicks_that_day() == 2
