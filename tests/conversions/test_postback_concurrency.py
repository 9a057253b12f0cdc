"""Exactly once (docs/postbacks.md#exactly-once): postbacks fired at the same instant make one conversion, enforced by
the database.

These need real concurrent transactions and row locks, so they run on PostgreSQL only: each thread has its own
connection, and a barrier releases all of them at once.
"""

import threading
from collections import Counter

import pytest
from django.db import connection
from django.test import Client

from conversions.models import Conversion, PostbackLog
from tests import factories
from tests.factories import SECURITY_TOKEN

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def fire_together(param_sets):
    """Send one postback per parameter set, each from its own thread and connection, all released at once.

    Returns [(status code, JSON body)] in the order of param_sets.
    """
    barrier = threading.Barrier(len(param_sets))
    answers = [None] * len(param_sets)
    errors = []

    def send(index, params):
        try:
            client = Client()
            connection.ensure_connection()  # connect first, so the barrier releases requests, not handshakes
            barrier.wait(timeout=30)
            response = client.get("/postback", {"security_token": SECURITY_TOKEN, **params}, REMOTE_ADDR="192.0.2.10")
            answers[index] = (response.status_code, response.json())
        except Exception as error:  # reported by the main thread
            errors.append(error)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i, params)) for i, params in enumerate(param_sets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a postback thread hung"
    assert not errors, errors
    return answers


def test_fifty_identical_postbacks_at_the_same_instant_make_exactly_one_conversion(click):
    answers = fire_together([{"transaction_id": click.transaction_id, "amount": "25.00"}] * 50)

    conversion = Conversion.objects.get()
    assert conversion.click_id == click.pk
    statuses = Counter(status for status, _ in answers)
    assert statuses == {200: 1, 409: 49}
    for status, body in answers:
        if status == 200:
            assert body == {
                "status": "approved",
                "conversion_id": conversion.pk,
                "transaction_id": click.transaction_id,
            }
        else:
            assert (body["status"], body["reason"]) == ("rejected", "duplicate")
            assert body["conversion_id"] == conversion.pk
    logs = PostbackLog.objects.all()
    assert logs.count() == 50
    assert Counter(logs.values_list("reason", flat=True)) == {"": 1, "duplicate": 49}
    assert set(logs.values_list("conversion_id", flat=True)) == {conversion.pk}


def test_fifty_postbacks_with_the_same_conversion_unique_id_make_exactly_one_conversion(affiliate):
    offer = factories.OfferFactory(allow_multiple_conversions=True)
    clicks = factories.ClickFactory.create_batch(50, offer=offer, affiliate=affiliate)

    answers = fire_together([{"transaction_id": c.transaction_id, "conversion_unique_id": "order-42"} for c in clicks])

    conversion = Conversion.objects.get()
    assert conversion.conversion_unique_id == "order-42"
    assert Counter(status for status, _ in answers) == {200: 1, 409: 49}
    assert {body["conversion_id"] for _, body in answers} == {conversion.pk}
    assert {body["reason"] for status, body in answers if status == 409} == {"duplicate"}
    assert PostbackLog.objects.count() == 50


def test_fifty_identical_postbacks_on_a_multiple_conversions_offer_with_one_unique_id_make_one_conversion(affiliate):
    offer = factories.OfferFactory(allow_multiple_conversions=True)
    click = factories.ClickFactory(offer=offer, affiliate=affiliate)

    answers = fire_together([{"transaction_id": click.transaction_id, "conversion_unique_id": "inv-7"}] * 50)

    assert Conversion.objects.count() == 1
    assert Counter(status for status, _ in answers) == {200: 1, 409: 49}


def test_twenty_postbacks_at_once_on_an_offer_with_a_daily_cap_of_three_approve_exactly_three():
    offer = factories.OfferFactory(daily_cap=3)
    clicks = factories.ClickFactory.create_batch(20, offer=offer)

    answers = fire_together([{"transaction_id": c.transaction_id} for c in clicks])

    assert Counter(status for status, _ in answers) == {200: 3, 409: 17}
    assert {body["reason"] for status, body in answers if status == 409} == {"cap_reached"}
    assert Conversion.objects.filter(status=Conversion.Status.APPROVED).count() == 3
    rejected = Conversion.objects.filter(status=Conversion.Status.REJECTED)
    assert rejected.count() == 17
    assert set(rejected.values_list("status_reason", flat=True)) == {"cap_reached"}
    assert PostbackLog.objects.count() == 20
