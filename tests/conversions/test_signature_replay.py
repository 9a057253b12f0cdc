"""A signed postback is accepted once: its signature is remembered until its timestamp window ends, and a repeat is
refused as invalid_signature. Signatures from the future are accepted only within a small clock skew."""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
import time_machine

from conversions import signing
from conversions.models import Conversion, PostbackLog, UsedSignature
from conversions.services import used_signatures_purge
from tests import factories
from tests.conversions.conftest import trace_failing_at, trace_of
from tests.factories import SECURITY_TOKEN

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 14, 15, 9, 26, tzinfo=UTC)
T = int(NOW.timestamp())
SECRET = "whsec-current"


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def signed_offer(db):
    return factories.OfferFactory(advertiser__signing_secret=SECRET, advertiser__token_required=False)


def test_one_signed_partner_id_get_sent_five_times_makes_one_conversion(client, signed_offer):
    affiliate = factories.AffiliateFactory()
    query = urlencode({"offer_id": signed_offer.pk, "aff_id": affiliate.pk})
    header = signing.sign(SECRET, query, T)

    responses = [
        client.get(f"/postback?{query}", headers={"X-Tally-Signature": header}, REMOTE_ADDR="192.0.2.10")
        for _ in range(5)
    ]

    assert [r.status_code for r in responses] == [200, 403, 403, 403, 403]
    assert Conversion.objects.count() == 1
    refused = responses[1].json()
    assert refused["reason"] == "invalid_signature"
    assert "already" in refused["detail"]
    log = PostbackLog.objects.order_by("-id").first()
    assert trace_of(log) == trace_failing_at("invalid_signature")


def test_a_replayed_signature_is_refused_with_extra_v1_values_in_its_header(client, signed_offer):
    affiliate = factories.AffiliateFactory()
    query = urlencode({"offer_id": signed_offer.pk, "aff_id": affiliate.pk})
    header = signing.sign(SECRET, query, T)
    padded = f"{header},v1=00"

    first = client.get(f"/postback?{query}", headers={"X-Tally-Signature": header})
    again = client.get(f"/postback?{query}", headers={"X-Tally-Signature": padded})

    assert first.status_code == 200
    assert again.json()["reason"] == "invalid_signature"


def test_a_replayed_signed_postback_on_a_multiple_conversions_offer_is_refused(send_postback, signed_offer):
    signed_offer.allow_multiple_conversions = True
    signed_offer.save()
    click = factories.ClickFactory(offer=signed_offer)
    params = {"transaction_id": click.transaction_id}

    first = send_postback(params, secret=SECRET, signed_at=T)
    again = send_postback(params, secret=SECRET, signed_at=T)
    fresh = send_postback(params, secret=SECRET, signed_at=T + 1)

    assert first.status_code == fresh.status_code == 200
    assert again.json()["reason"] == "invalid_signature"
    assert Conversion.objects.count() == 2


def test_the_used_signature_is_remembered_until_its_window_ends(send_postback, signed_offer, settings):
    click = factories.ClickFactory(offer=signed_offer)

    send_postback({"transaction_id": click.transaction_id}, secret=SECRET, signed_at=T - 10)

    used = UsedSignature.objects.get()
    assert used.expires_at == datetime.fromtimestamp(T - 10 + settings.TALLY_SIGNATURE_TOLERANCE, tz=UTC)


def test_an_unsigned_postback_remembers_no_signature(send_postback, click):
    response = send_postback({"transaction_id": click.transaction_id})

    assert response.status_code == 200
    assert not UsedSignature.objects.exists()


def test_a_refused_signature_is_not_remembered(send_postback, signed_offer):
    click = factories.ClickFactory(offer=signed_offer)

    response = send_postback({"transaction_id": click.transaction_id}, secret="another-secret")

    assert response.json()["reason"] == "invalid_signature"
    assert not UsedSignature.objects.exists()


@pytest.mark.parametrize("seconds, status", [(30, 200), (31, 403), (299, 403)])
def test_a_signature_is_accepted_at_most_30_seconds_into_the_future(send_postback, signed_offer, seconds, status):
    click = factories.ClickFactory(offer=signed_offer)

    response = send_postback({"transaction_id": click.transaction_id}, secret=SECRET, signed_at=T + seconds)

    assert response.status_code == status
    if status == 403:
        assert response.json()["reason"] == "invalid_signature"
        assert "future" in response.json()["detail"]


def test_the_purge_deletes_only_signatures_whose_window_has_ended(db):
    ended = UsedSignature.objects.create(digest="a" * 64, expires_at=NOW - timedelta(seconds=1))
    current = UsedSignature.objects.create(digest="b" * 64, expires_at=NOW + timedelta(seconds=1))

    deleted = used_signatures_purge()

    assert deleted == 1
    assert list(UsedSignature.objects.all()) == [current]
    assert not UsedSignature.objects.filter(pk=ended.pk).exists()


def test_a_partner_id_postback_with_a_valid_signature_and_no_token_converts(send_postback, signed_offer):
    affiliate = factories.AffiliateFactory()

    response = send_postback({"offer_id": signed_offer.pk, "aff_id": affiliate.pk}, secret=SECRET, token=None)

    assert response.status_code == 200


def test_a_partner_id_postback_with_a_bad_signature_is_refused_as_invalid_signature(send_postback, signed_offer):
    affiliate = factories.AffiliateFactory()
    params = {"offer_id": signed_offer.pk, "aff_id": affiliate.pk, "security_token": SECURITY_TOKEN}

    response = send_postback(params, secret="another-secret")

    assert response.status_code == 403
    assert response.json()["reason"] == "invalid_signature"
    assert not Conversion.objects.exists()
