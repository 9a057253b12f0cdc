"""Crash safety (docs/postbacks.md): a postback is answered 2xx only after its conversion commits, and a worker killed
with SIGKILL in the middle of an affiliate postback loses nothing.

Real PostgreSQL and a real Celery worker. A failed COMMIT is made by a constraint trigger installed for the test,
DEFERRABLE INITIALLY DEFERRED, so it raises at the end of the transaction, after every statement succeeded.
"""

import os
from contextlib import contextmanager

import pytest
import redis
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from config.celery import app as celery_app
from conversions import outbox
from conversions.models import AffiliatePostback, Conversion, PostbackDelivery, PostbackLog
from conversions.postback_urls import affiliate_postback_set
from conversions.tasks import postback_sweep
from tests import factories
from tests.factories import SECURITY_TOKEN
from tests.receiver import Receiver, Reply
from tests.worker import start_worker, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# The killed worker and its successor have a Redis database of their own: the session's worker (database 7)
# must neither take their tasks nor be killed.
CRASH_REDIS_URL = os.environ.get("TALLY_TEST_CRASH_REDIS_URL", "redis://127.0.0.1:6379/8")
# The workers' claim on a delivery they send (TALLY_POSTBACK_CLAIM_SECONDS, 120 s by default): after this long
# a delivery whose worker died is due again.
CLAIM_SECONDS = 3
ADVERTISER_IP = "192.0.2.10"


def postback(client, click):
    return client.get(
        "/postback",
        {"security_token": SECURITY_TOKEN, "transaction_id": click.transaction_id, "amount": "40.00"},
        REMOTE_ADDR=ADVERTISER_IP,
    )


# --- A worker killed mid-delivery ------------------------------------------------------------------------------


@pytest.fixture
def crash_broker():
    """An empty Redis database for this test's workers, and this process publishing to it for the test's length."""
    redis.Redis.from_url(CRASH_REDIS_URL).flushdb()
    saved = celery_app.conf.broker_url, celery_app.conf.broker_transport_options
    celery_app.conf.broker_url, celery_app.conf.broker_transport_options = CRASH_REDIS_URL, {}
    yield CRASH_REDIS_URL
    celery_app.conf.broker_url, celery_app.conf.broker_transport_options = saved


@pytest.mark.worker
def test_a_worker_killed_mid_delivery_loses_nothing_and_the_postback_is_sent_again(
    client, settings, tmp_path, crash_broker
):
    """The worker is SIGKILLed while the affiliate's server is still answering. Nothing is lost: the delivery stays
    pending under its claim, and once the claim runs out the sweep queues it for another worker, which delivers it.

    An affiliate postback is at least once: the affiliate's server saw the killed attempt too, so it gets the call
    twice, with the same conversion_id to drop the repeat by. The killed attempt left no attempt row (its worker
    died before recording it); the attempt log holds the one that completed."""
    settings.TALLY_POSTBACK_ALLOW_LOOPBACK = True
    log_path = tmp_path / "workers.log"
    workers = []

    def worker(name):
        workers.append(
            start_worker(
                log_path,
                broker_url=crash_broker,
                hostname=f"tally-crash-{name}@%h",
                TALLY_POSTBACK_CLAIM_SECONDS=str(CLAIM_SECONDS),
            )
        )
        return workers[-1]

    with Receiver() as receiver:
        receiver.script(Reply(delay=5), Reply())  # the first call hangs for 5 s: the worker is mid-request
        try:
            first = worker("first")
            click = factories.ClickFactory()
            affiliate_postback_set(
                affiliate=click.affiliate, url=receiver.url("/pb?cid={conversion_id}&payout={payout}")
            )
            response = postback(client, click)
            assert response.status_code == 200, response.content
            conversion = Conversion.objects.get(click=click)
            assert receiver.wait_for(1, timeout=20), first.log()

            first.kill()  # SIGKILL to its whole process group, while the affiliate's server has not answered yet
            assert first.process.returncode == -9
            delivery = PostbackDelivery.objects.get(conversion=conversion)
            # Mid-delivery: claimed (due again only when the claim runs out), nothing recorded.
            assert (delivery.status, delivery.attempts, delivery.attempt_log.count()) == ("pending", 0, 0)
            assert delivery.next_attempt_at > conversion.created_at

            second = worker("second")
            sweep = lambda: second.send(postback_sweep)  # noqa: E731 -- beat's part
            delivered = lambda: PostbackDelivery.objects.filter(pk=delivery.pk, status="delivered").exists()  # noqa: E731
            assert wait_until(delivered, timeout=30, interval=0.5, tick=sweep), second.log()
            wait_until(lambda: False, timeout=1, interval=0.25, tick=sweep)  # more sweeps change nothing
        finally:
            for started in workers:
                started.stop()

    # The conversion is intact: one, approved, its money as recorded.
    assert list(Conversion.objects.values_list("pk", "status", "amount", "payout")) == [
        (conversion.pk, "approved", conversion.amount, conversion.payout)
    ]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("delivered", 1, None)
    attempts = list(delivery.attempt_log.values_list("status_code", "url"))
    expected_url = receiver.url(f"/pb?cid={conversion.pk}&payout={conversion.payout}")
    assert attempts == [(200, expected_url)]
    # The killed attempt and the one after it: the same call, twice.
    assert [request["path"] for request in receiver.requests] == [
        f"/pb?cid={conversion.pk}&payout={conversion.payout}"
    ] * 2


# --- 2xx only after COMMIT -------------------------------------------------------------------------------------


@contextmanager
def commit_refused(model):
    """While inside, any transaction that inserts into model's table fails at COMMIT (SQLSTATE 40001, as a
    serialization failure would): a constraint trigger, deferred to the end of the transaction."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE OR REPLACE FUNCTION tally_test_refuse_commit() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'COMMIT refused by the test' USING ERRCODE = '40001'; END $$"
        )
        cursor.execute(
            f"CREATE CONSTRAINT TRIGGER tally_test_refuse_commit AFTER INSERT ON {table} "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION tally_test_refuse_commit()"
        )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER tally_test_refuse_commit ON {table}")
            cursor.execute("DROP FUNCTION tally_test_refuse_commit()")


@pytest.fixture
def advertiser_client():
    """The advertiser's server: sees the answer Django gives when the view raises (the 500 page)."""
    return Client(raise_request_exception=False)


@pytest.fixture
def queued(monkeypatch):
    """Delivery ids handed to the broker after a commit (the app's broker in memory: they go nowhere)."""
    calls = []
    saved = celery_app.conf.broker_url, celery_app.conf.broker_transport_options
    celery_app.conf.broker_url, celery_app.conf.broker_transport_options = "memory://", {}
    enqueue = outbox.deliveries_enqueue

    def spy(delivery_ids):
        calls.extend(delivery_ids)
        return enqueue(delivery_ids)

    monkeypatch.setattr(outbox, "deliveries_enqueue", spy)
    yield calls
    celery_app.conf.broker_url, celery_app.conf.broker_transport_options = saved


def one_statement_used(queries):
    return any("WITH new_first AS (INSERT" in query["sql"] for query in queries)


def test_a_postback_whose_one_statement_write_fails_to_commit_is_not_answered_2xx_and_its_retry_converts(
    advertiser_client,
):
    """The common case (no cap, no affiliate postback URL) writes conversion and log row in one statement, which
    is its own transaction: when that fails to commit, the advertiser gets a 5xx and retries; nothing is lost."""
    click = factories.ClickFactory()
    with commit_refused(Conversion), CaptureQueriesContext(connection) as queries:
        response = postback(advertiser_client, click)
    assert one_statement_used(queries.captured_queries)
    assert response.status_code >= 500, (response.status_code, response.content)
    assert (Conversion.objects.count(), PostbackLog.objects.count()) == (0, 0)

    response = postback(advertiser_client, click)  # the advertiser's retry
    assert response.status_code == 200, response.content
    conversion = Conversion.objects.get()
    assert response.json()["conversion_id"] == conversion.pk
    assert list(PostbackLog.objects.values_list("conversion", "http_status")) == [(conversion.pk, 200)]


def test_a_postback_on_a_capped_offer_whose_transaction_fails_to_commit_is_not_answered_2xx_and_its_retry_converts(
    advertiser_client,
):
    """A capped offer takes the general path (one short transaction with a row lock): the same guarantee."""
    click = factories.ClickFactory(offer=factories.OfferFactory(daily_cap=10))
    with commit_refused(Conversion), CaptureQueriesContext(connection) as queries:
        response = postback(advertiser_client, click)
    assert not one_statement_used(queries.captured_queries)
    assert response.status_code >= 500, (response.status_code, response.content)
    assert (Conversion.objects.count(), PostbackLog.objects.count()) == (0, 0)

    response = postback(advertiser_client, click)
    assert response.status_code == 200, response.content
    assert Conversion.objects.get().pk == response.json()["conversion_id"]
    assert PostbackLog.objects.get().http_status == 200


@pytest.mark.parametrize("failing", [Conversion, PostbackDelivery], ids=["conversion", "outbox-row"])
def test_a_conversion_and_its_affiliate_postback_commit_together_or_not_at_all(advertiser_client, queued, failing):
    """With an affiliate postback URL, the conversion and its outbox row (PostbackDelivery) are one transaction:
    whichever insert makes the COMMIT fail, neither row stays, nothing is queued, and the answer is not 2xx. The
    advertiser's retry then records both, and queues the delivery once."""
    click = factories.ClickFactory()
    AffiliatePostback.objects.create(affiliate=click.affiliate, url="https://affiliate.example/pb?cid={conversion_id}")
    with commit_refused(failing), CaptureQueriesContext(connection) as queries:
        response = postback(advertiser_client, click)
    assert not one_statement_used(queries.captured_queries)
    assert response.status_code >= 500, (response.status_code, response.content)
    counts = Conversion.objects.count(), PostbackDelivery.objects.count(), PostbackLog.objects.count()
    assert counts == (0, 0, 0)
    assert queued == []

    response = postback(advertiser_client, click)
    assert response.status_code == 200, response.content
    conversion = Conversion.objects.get()
    delivery = PostbackDelivery.objects.get()
    assert (delivery.conversion_id, delivery.status, delivery.attempts) == (conversion.pk, "pending", 0)
    assert queued == [delivery.pk]
