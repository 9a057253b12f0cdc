"""Time partitions of clicks and the postback log (core/partitions.py, docs/storage.md): daily ranges on PostgreSQL,
made ahead, a DEFAULT partition for stray rows, dropped whole; plain tables and no-ops on SQLite."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conversions.click_lookup import _BY_TIME, click_for_postback
from conversions.models import PostbackLog
from core import partitions
from core.sql import JoinedLookup
from operations.services import partitions_create_ahead
from tests import factories
from tracking.models import Click
from tracking.services import click_record
from tracking.transaction_ids import time_of

pytestmark = pytest.mark.django_db

postgres = pytest.mark.postgres


def test_on_sqlite_the_tables_are_plain_and_the_functions_do_nothing():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's behaviour")
    assert not partitions.is_partitioned(Click)
    assert partitions.partitions(Click) == []
    assert partitions.partitions_create_ahead(Click, through=timezone.now() + timedelta(days=30)) == []
    assert partitions.partitions_drop_before(Click, timezone.now()) == []


def holding(model, pk):
    """The name of the partition that physically holds the row."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {model._meta.db_table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


@postgres
@pytest.mark.parametrize("model", [Click, PostbackLog])
def test_daily_partitions_reach_a_week_ahead_after_migrate(model):
    assert partitions.is_partitioned(model)
    found = partitions.partitions(model)
    assert found == sorted(found, key=lambda p: p.start)
    for partition in found:
        assert partition.start.tzinfo is not None and partition.start.utcoffset() == timedelta(0)
        assert partition.end - partition.start == timedelta(days=1)
        assert (partition.start.hour, partition.start.minute) == (0, 0)
        assert re.fullmatch(rf"{model._meta.db_table}_p\d{{8}}", partition.name)
    assert all(a.end == b.start for a, b in zip(found, found[1:], strict=False))  # no gap
    now = datetime.now(UTC)
    assert found[0].start <= now and found[-1].end > now + partitions.AHEAD


@postgres
def test_creating_ahead_is_idempotent_and_moves_stray_rows_out_of_the_default_partition(offer, affiliate):
    last = partitions.partitions(Click)[-1]
    stray_at = last.end + timedelta(days=2, hours=5)  # beyond every day partition: the DEFAULT one takes it
    stray = factories.ClickFactory(offer=offer, affiliate=affiliate, created_at=stray_at)
    assert holding(Click, stray.pk) == "tracking_click_default"

    created = partitions.partitions_create_ahead(Click, through=stray_at)

    assert created == [f"tracking_click_p{(last.end + timedelta(days=n)):%Y%m%d}" for n in range(3)]
    assert holding(Click, stray.pk) == created[-1]
    assert Click.objects.get(pk=stray.pk).transaction_id == stray.transaction_id
    assert partitions.partitions_create_ahead(Click, through=stray_at) == []
    assert partitions_create_ahead() == []  # the hourly task: nothing left to make


@postgres
def test_dropping_before_a_cutoff_drops_whole_days_and_only_them(offer, affiliate):
    today = partitions.partitions(Click)[0].start
    with time_machine.travel(today - timedelta(days=5), tick=False):
        made = partitions.partitions_create_ahead(Click, through=today - timedelta(days=1))
    assert len(made) == 5
    old = factories.ClickFactory(offer=offer, affiliate=affiliate, created_at=today - timedelta(days=4, hours=1))
    kept = factories.ClickFactory(offer=offer, affiliate=affiliate, created_at=today - timedelta(hours=20))
    with connection.cursor() as cursor:  # as if committed: the deferred foreign-key checks run now
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    # The cutoff inside a day: that day stays (it still holds rows newer than the cutoff).
    dropped = partitions.partitions_drop_before(Click, today - timedelta(days=2, hours=12))

    assert dropped == made[:2]
    assert not Click.objects.filter(pk=old.pk).exists()
    assert Click.objects.filter(pk=kept.pk).exists()
    assert [p.name for p in partitions.partitions(Click)][:3] == made[2:5]
    assert partitions.partitions_drop_before(Click, today - timedelta(days=2, hours=12)) == []


@postgres
def test_the_postback_lookup_reads_one_partition_of_ninety(click):
    today = partitions.partitions(Click)[0].start
    with time_machine.travel(today - timedelta(days=90), tick=False):
        partitions.partitions_create_ahead(Click, through=today)
    assert len(partitions.partitions(Click)) >= 90
    names = re.compile(r"tracking_click_(p\d{8}|default)\b")

    pruned = _BY_TIME.explain((click.transaction_id, time_of(click.transaction_id)))
    unpruned = JoinedLookup(Click, ["id"], where="transaction_id").explain(click.transaction_id)

    assert set(names.findall(pruned)) == {f"p{click.created_at:%Y%m%d}"}
    assert len(set(names.findall(unpruned))) >= 91  # every day and the DEFAULT partition


@postgres
def test_the_postback_lookup_is_planned_once_per_connection_not_per_postback(click):
    """A prepared statement with a generic plan, pruned to the ID's day when it runs; PostgreSQL planned the plain
    join afresh on every postback instead (1.2 ms of its CPU each: docs/storage.md, Locks)."""
    for _ in range(12):  # psycopg prepares a statement after 5 runs; PostgreSQL weighs a generic plan after 5 more
        assert click_for_postback(click.transaction_id).click.pk == click.pk
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%FROM "tracking_click" WHERE "transaction_id" = $1 AND "created_at" = $2 AND %LIMIT 1%'],
        )
        generic, custom = cursor.fetchone()
    assert generic >= 1 and custom <= 5


def _locks_held():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid()")
        return cursor.fetchone()[0]


@postgres
@pytest.mark.django_db(transaction=True)  # committed partitions, and locks counted in a transaction of their own
def test_a_click_and_its_postback_lock_the_partitions_of_their_day_not_all_ninety(offer, affiliate):
    today = partitions.partitions(Click)[0].start
    with time_machine.travel(today - timedelta(days=90), tick=False):
        partitions.partitions_create_ahead(Click, through=today)
    try:
        assert len(partitions.partitions(Click)) >= 90
        # Past psycopg's prepare threshold and PostgreSQL's five custom plans: the generic plans are in use.
        made = [click_record(offer=offer, affiliate=affiliate, ip=None, user_agent="", referer="", subs={})]
        for _ in range(12):
            made.append(click_record(offer=offer, affiliate=affiliate, ip=None, user_agent="", referer="", subs={}))
            assert click_for_postback(made[0].transaction_id) is not None
        with transaction.atomic():
            click_record(offer=offer, affiliate=affiliate, ip=None, user_agent="", referer="", subs={})
            click_locks = _locks_held()
        with transaction.atomic():
            click_for_postback(made[-1].transaction_id)
            lookup_locks = _locks_held()
        # Without the plan-time bounds: 118 and 143 locks at 100 partitions (docs/storage.md, Locks).
        assert click_locks < 40
        assert lookup_locks < 30
    finally:
        partitions.partitions_drop_before(Click, today)


@postgres
def test_the_metrics_say_how_far_ahead_the_partitions_reach():
    from operations.metrics import DatabaseCollector

    family = next(f for f in DatabaseCollector().collect() if f.name == "tally_partitions_ahead_seconds")
    reach = {sample.labels["table"]: sample.value for sample in family.samples}
    assert set(reach) == {"tracking_click", "conversions_postbacklog"}
    assert all(
        partitions.AHEAD.total_seconds() < value <= (partitions.AHEAD + timedelta(days=1)).total_seconds()
        for value in reach.values()
    )


@postgres
def test_a_postback_for_a_known_click_runs_one_query_on_one_partition(click):
    with CaptureQueriesContext(connection) as queries:
        assert click_for_postback(click.transaction_id).click.pk == click.pk
    assert len(queries) == 1
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + queries[0]["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert set(re.findall(r"tracking_click_(p\d{8}|default)\b", plan)) == {f"p{click.created_at:%Y%m%d}"}


def test_beat_runs_the_task_that_makes_partitions_ahead_every_hour():
    from celery.schedules import crontab
    from django.conf import settings

    from operations import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["operations-partitions-create-ahead"]
    assert entry["task"] == tasks.partitions_create_ahead.name
    assert entry["schedule"] == crontab(minute=3)
    assert tasks.partitions_create_ahead.apply().get() == []  # the migration made them already
