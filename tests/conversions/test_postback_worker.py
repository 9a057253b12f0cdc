"""Affiliate postbacks sent by a real Celery worker (Redis broker, the same PostgreSQL test database), to a
real receiver on 127.0.0.1. Retries and the sweep run in the worker; the test only plays beat's part by
queueing the sweep task every few hundred milliseconds."""

import pytest

from config.celery import app as celery_app
from conversions.models import Conversion, PostbackDelivery
from conversions.postback_urls import affiliate_postback_set
from conversions.tasks import postback_sweep
from tests import factories
from tests.factories import SECURITY_TOKEN
from tests.receiver import Receiver
from tests.worker import wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def receiver():
    with Receiver() as receiver:
        yield receiver


def convert(client, receiver):
    """An approved conversion of a click whose affiliate has a postback URL pointing at the receiver."""
    click = factories.ClickFactory()
    affiliate_postback_set(affiliate=click.affiliate, url=receiver.url("/pb?cid={conversion_id}&s={status}"))
    response = client.get(
        "/postback",
        {"security_token": SECURITY_TOKEN, "transaction_id": click.transaction_id},
        REMOTE_ADDR="192.0.2.10",
    )
    assert response.status_code == 200, response.content
    return Conversion.objects.get(click=click)


def delivered(conversion):
    return PostbackDelivery.objects.filter(conversion=conversion, status="delivered").exists()


def test_a_postback_that_fails_three_times_is_delivered_on_the_fourth_attempt(client, receiver, worker):
    receiver.script(500, 502, 503, 200)
    conversion = convert(client, receiver)
    sweep = lambda: worker.send(postback_sweep)  # noqa: E731 -- beat's part
    assert wait_until(lambda: delivered(conversion), timeout=20, interval=0.25, tick=sweep), worker.log()
    # More sweeps change nothing: delivered means done.
    wait_until(lambda: False, timeout=1, interval=0.25, tick=sweep)

    delivery = PostbackDelivery.objects.get(conversion=conversion)
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("delivered", 4, None)
    attempts = list(delivery.attempt_log.order_by("attempted_at"))
    assert [a.status_code for a in attempts] == [500, 502, 503, 200]
    assert {a.url for a in attempts} == {receiver.url(f"/pb?cid={conversion.pk}&s=approved")}
    assert len(receiver.requests) == 4
    # Exponential backoff, kept in the database: each wait at least half of 0.2 s, 0.4 s, 0.8 s.
    gaps = [b["at"] - a["at"] for a, b in zip(receiver.requests, receiver.requests[1:], strict=False)]
    assert [gap >= minimum for gap, minimum in zip(gaps, (0.1, 0.2, 0.4), strict=True)] == [True] * 3, gaps


def test_a_conversion_made_while_the_broker_is_down_is_kept_and_the_sweep_sends_its_postback_once(
    client, receiver, worker, settings
):
    settings.TALLY_POSTBACK_BROKER_PAUSE_SECONDS = 0
    celery_app.conf.broker_url = "redis://127.0.0.1:1/7"  # nothing listens there
    conversion = convert(client, receiver)
    assert conversion.status == "approved"
    delivery = PostbackDelivery.objects.get(conversion=conversion)
    assert (delivery.status, delivery.attempts) == ("pending", 0)

    # The broker is back; beat runs the sweep, several times over, two tasks at a time.
    def sweep():
        worker.send(postback_sweep)
        worker.send(postback_sweep)

    assert wait_until(lambda: delivered(conversion), timeout=20, interval=0.25, tick=sweep), worker.log()
    wait_until(lambda: False, timeout=1.5, interval=0.25, tick=sweep)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.attempt_log.count()) == ("delivered", 1, 1)
    assert len(receiver.requests) == 1
