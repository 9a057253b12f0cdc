"""GET /metrics: Prometheus text of the hot paths' counters and the database's values; who may read it; and the
totals across two real server processes in multiprocess mode."""

from datetime import timedelta

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from conversions.models import PostbackDelivery
from operations import services as operations
from operations.models import Heartbeat
from reports.services import rollups_refresh
from tests import factories

pytestmark = pytest.mark.django_db


def samples(text):
    """{(sample name, frozenset of labels): value} of a Prometheus text exposition."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def scrape(client, **extra):
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    return samples(response.content.decode())


def value(found, name, **labels):
    return found.get((name, frozenset(labels.items())), 0.0)


# --- who may read it ---------------------------------------------------------------------------------------------


def test_metrics_are_readable_from_loopback_by_default(client):
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200


def test_metrics_are_refused_to_other_addresses(client):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 403
    assert b"tally_" not in response.content


def test_metrics_are_readable_anywhere_with_the_bearer_token_and_not_with_a_wrong_one(client, settings):
    settings.TALLY_METRICS_TOKEN = "s3cret-scrape-token"
    good = client.get("/metrics", REMOTE_ADDR="203.0.113.9", headers={"authorization": "Bearer s3cret-scrape-token"})
    bad = client.get("/metrics", REMOTE_ADDR="203.0.113.9", headers={"authorization": "Bearer s3cret"})
    assert good.status_code == 200
    assert bad.status_code == 403


def test_metrics_are_readable_from_the_allowed_networks_only(client, settings):
    settings.TALLY_METRICS_ALLOW = ["10.0.0.0/8"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403


# --- what it counts ----------------------------------------------------------------------------------------------


def test_clicks_and_postbacks_are_counted_by_outcome_and_reason(client):
    offer, affiliate = factories.OfferFactory(), factories.AffiliateFactory()
    before = scrape(client)

    for _ in range(3):
        assert client.get("/click", {"offer_id": offer.pk, "aff_id": affiliate.pk}).status_code == 302
    assert client.get("/click", {"offer_id": offer.pk}).status_code == 404
    assert client.get("/click", {"offer_id": offer.pk, "aff_id": 999999}).status_code == 404
    click = factories.ClickFactory(offer=offer, affiliate=affiliate)
    token = factories.SECURITY_TOKEN
    assert client.get("/postback", {"transaction_id": click.transaction_id, "security_token": token}).status_code == 200
    assert client.get("/postback", {"transaction_id": click.transaction_id, "security_token": token}).status_code == 409
    assert client.get("/postback", {"transaction_id": "f" * 32, "security_token": token}).status_code == 404

    after = scrape(client)

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("tally_clicks_stored_total") == 3
    assert delta("tally_clicks_refused_total", reason="bad_link") == 1
    assert delta("tally_clicks_refused_total", reason="not_found") == 1
    assert delta("tally_click_duration_seconds_count") == 5
    assert delta("tally_postbacks_total", status="approved", reason="none") == 1
    assert delta("tally_postbacks_total", status="rejected", reason="duplicate") == 1
    assert delta("tally_postbacks_total", status="rejected", reason="unknown_transaction") == 1
    assert delta("tally_postback_duration_seconds_count") == 3


def test_a_rate_limited_postback_is_counted_with_its_own_reason(client, settings):
    settings.TALLY_POSTBACK_RATE_LIMIT = 1
    before = scrape(client)
    client.get("/postback", {"transaction_id": "a" * 32}, REMOTE_ADDR="198.51.100.4")
    assert client.get("/postback", {"transaction_id": "a" * 32}, REMOTE_ADDR="198.51.100.4").status_code == 429
    after = scrape(client)
    labels = {"status": "rejected", "reason": "rate_limited"}
    assert value(after, "tally_postbacks_total", **labels) - value(before, "tally_postbacks_total", **labels) == 1


def test_the_outbox_rollups_tasks_and_heartbeats_are_read_from_the_database(client):
    now = timezone.now()
    conversion = factories.ConversionFactory()
    postback = conversion.affiliate.postbacks.create(url="https://aff.example/pb?c={conversion_id}")
    for minutes, status in ((30, "pending"), (5, "pending"), (60, "delivered")):
        PostbackDelivery.objects.create(
            conversion=conversion,
            postback=postback,
            conversion_status="approved",
            is_status_update=True,
            status=status,
            next_attempt_at=now - timedelta(minutes=minutes) if status == "pending" else None,
            give_up_at=now + timedelta(hours=72),
        )
    rollups_refresh()
    operations.task_run_record(task="reports.tasks.refresh_rollups", succeeded=True, at=now - timedelta(seconds=30))
    operations.heartbeat_record(component=Heartbeat.Component.WORKER, at=now - timedelta(seconds=10))

    found = scrape(client)

    assert value(found, "tally_metrics_database_up") == 1
    assert value(found, "tally_outbox_backlog") == 2
    assert 30 * 60 - 5 <= value(found, "tally_outbox_oldest_due_age_seconds") <= 30 * 60 + 30
    assert value(found, "tally_postback_deliveries_24h", status="pending") == 2
    assert value(found, "tally_postback_deliveries_24h", status="delivered") == 1
    assert 0 <= value(found, "tally_rollup_lag_seconds") < 600
    last_success = value(found, "tally_task_last_success_timestamp_seconds", task="reports.tasks.refresh_rollups")
    assert last_success == pytest.approx((now - timedelta(seconds=30)).timestamp(), abs=0.01)
    assert value(found, "tally_task_last_success_timestamp_seconds", task="operations.tasks.retention_apply") == 0
    assert value(found, "tally_heartbeat_timestamp_seconds", component="worker") == pytest.approx(
        (now - timedelta(seconds=10)).timestamp(), abs=0.01
    )
    assert value(found, "tally_heartbeat_timestamp_seconds", component="beat") == 0


# --- two processes -----------------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_totals_count_every_process_in_multiprocess_mode(server_process, tmp_path):
    """Two server processes share one PROMETHEUS_MULTIPROC_DIR; each handles a known number of clicks and
    postbacks; a scrape of either answers the totals of both."""
    from django.db import connection

    from tests.worker import _database_url

    offer, affiliate = factories.OfferFactory(), factories.AffiliateFactory()
    clicks = [factories.ClickFactory(offer=offer, affiliate=affiliate) for _ in range(3)]
    environment = {
        "DATABASE_URL": _database_url(connection.settings_dict),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        "CELERY_BROKER_URL": "filesystem://",
        "TALLY_VAR_DIR": str(tmp_path / "var"),
    }
    first, second = server_process(**environment), server_process(**environment)
    assert first.process.pid != second.process.pid
    link = f"/click?offer_id={offer.pk}&aff_id={affiliate.pk}"
    token = factories.SECURITY_TOKEN
    # A shopper's browser: urllib's own user agent is a bot's, whose clicks are refused (counted apart).
    browser = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36"}

    for _ in range(4):
        assert first.get(link, headers=browser)[0] == 302
    for _ in range(6):
        assert second.get(link, headers=browser)[0] == 302
    assert second.get(f"/click?offer_id={offer.pk}&aff_id=999999")[0] == 404
    assert first.get(f"/postback?transaction_id={clicks[0].transaction_id}&security_token={token}")[0] == 200
    assert second.get(f"/postback?transaction_id={clicks[1].transaction_id}&security_token={token}")[0] == 200
    assert second.get(f"/postback?transaction_id={clicks[2].transaction_id}&security_token={token}")[0] == 200
    assert second.get(f"/postback?transaction_id={clicks[2].transaction_id}&security_token={token}")[0] == 409

    for server in (first, second):
        status, _, text = server.get("/metrics")
        assert status == 200
        found = samples(text)
        assert value(found, "tally_clicks_stored_total") == 10
        assert value(found, "tally_clicks_refused_total", reason="not_found") == 1
        assert value(found, "tally_click_duration_seconds_count") == 11
        assert value(found, "tally_postbacks_total", status="approved", reason="none") == 3
        assert value(found, "tally_postbacks_total", status="rejected", reason="duplicate") == 1
        assert value(found, "tally_postback_duration_seconds_count") == 4
