"""The migrations that partition clicks (tracking 0005) and the postback log (conversions 0009) keep every row, every
foreign-key value and the id sequences (docs/storage.md): the test database goes back to before them, gets rows,
and comes forward again. PostgreSQL only (elsewhere the tables stay plain)."""

import secrets
from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from conversions.click_lookup import click_for_postback
from conversions.models import Conversion, PostbackLog
from core import partitions
from tests import factories
from tracking.models import Click

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BEFORE = [("tracking", "0004_click_country_device_os"), ("conversions", "0008_conversion_flags_and_time_to_convert")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def leaves():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def kept(model, rows):
    """The columns of rows that the model still has (later migrations may drop some, e.g. Click.expired)."""
    return [name for name in rows[0] if name in {f.attname for f in model._meta.concrete_fields}]


def kept_rows(model, rows):
    return [{name: row[name] for name in kept(model, rows)} for row in rows]


def test_partitioning_keeps_every_row_and_foreign_key_value():
    offer, affiliate = factories.OfferFactory(), factories.AffiliateFactory()
    now = timezone.now()
    old = migrate(BEFORE)
    try:
        assert not partitions.is_partitioned(Click) and not partitions.is_partitioned(PostbackLog)
        OldClick, OldConversion = old.get_model("tracking", "Click"), old.get_model("conversions", "Conversion")
        OldLog = old.get_model("conversions", "PostbackLog")
        clicks = [
            OldClick.objects.create(
                transaction_id=secrets.token_hex(16),  # legacy random IDs, as the old code made them
                offer_id=offer.pk,
                affiliate_id=affiliate.pk,
                aff_sub=f"sub-{n}",
                ip="203.0.113.7",
                user_agent="UA",
                created_at=now - timedelta(days=days, minutes=n),
                expires_at=now + timedelta(days=30),
            )
            for n, days in enumerate([45, 12, 1, 0, 0])
        ]
        conversions = [
            OldConversion.objects.create(
                click_id=click.pk, offer_id=offer.pk, affiliate_id=affiliate.pk, transaction_id=click.transaction_id
            )
            for click in clicks[:3]
        ]
        first = OldLog.objects.create(
            received_at=now - timedelta(days=12),
            method="GET",
            path="/postback",
            verdict="rejected",
            http_status=403,
            offer_id=offer.pk,
            params={"transaction_id": clicks[1].transaction_id},
        )
        logs = [first] + [
            OldLog.objects.create(
                received_at=now - timedelta(days=days),
                method="GET",
                path="/postback",
                verdict="approved",
                http_status=200,
                offer_id=offer.pk,
                conversion_id=conversion.pk,
                replay_of_id=first.pk,
                trace=[{"rule": "ok", "ok": True}],
            )
            for days, conversion in zip([12, 1, 0], conversions, strict=True)
        ]
        click_rows = list(OldClick.objects.order_by("pk").values())
        conversion_rows = list(OldConversion.objects.order_by("pk").values("pk", "click_id", "transaction_id"))
        log_rows = list(OldLog.objects.order_by("pk").values())
    finally:
        migrate(leaves())

    assert partitions.is_partitioned(Click) and partitions.is_partitioned(PostbackLog)
    assert len(partitions.partitions(Click)) >= 46 + 7  # the rows' days, today and a week ahead
    assert list(Click.objects.order_by("pk").values(*kept(Click, click_rows))) == kept_rows(Click, click_rows)
    assert list(PostbackLog.objects.order_by("pk").values(*kept(PostbackLog, log_rows))) == log_rows
    assert list(Conversion.objects.order_by("pk").values("pk", "click_id", "transaction_id")) == conversion_rows
    assert [c.click.pk for c in Conversion.objects.order_by("pk")] == [c.pk for c in clicks[:3]]
    assert [log.replay_of_id for log in PostbackLog.objects.order_by("pk")] == [None] + [first.pk] * 3
    # Every row in its day's partition, none left to the DEFAULT one.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tracking_click_default")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT count(*) FROM conversions_postbacklog_default")
        assert cursor.fetchone()[0] == 0
    # The id sequences go on from where they were.
    assert factories.ClickFactory(offer=offer, affiliate=affiliate).pk > clicks[-1].pk
    new_log = PostbackLog.objects.create(
        received_at=now, method="GET", path="/postback", verdict="rejected", http_status=400
    )
    assert new_log.pk > logs[-1].pk
    # The legacy IDs still find their clicks.
    assert [click_for_postback(c.transaction_id).click.pk for c in clicks] == [c.pk for c in clicks]
