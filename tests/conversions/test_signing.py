"""Signed postbacks (docs/postbacks.md#signatures): X-Tally-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<raw query
string or body>">."""

import hashlib
import hmac
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
import time_machine

from conversions import signing
from conversions.models import Conversion, PostbackLog
from tests import factories
from tests.conversions.conftest import only_log, trace_failing_at, trace_of

NOW = datetime(2025, 3, 14, 15, 9, 26, tzinfo=UTC)
T = int(NOW.timestamp())
SECRET = "whsec-current"
PREVIOUS = "whsec-previous"


# --- the header itself -----------------------------------------------------------------------------------------


def test_a_signature_is_the_hex_hmac_sha256_of_the_timestamp_a_dot_and_the_payload():
    expected = hmac.new(b"key", b"1700000000.a=1&b=2", hashlib.sha256).hexdigest()

    assert signing.sign("key", "a=1&b=2", 1700000000) == f"t=1700000000,v1={expected}"


def test_a_signature_verifies_with_any_active_secret():
    header = signing.sign(PREVIOUS, "payload", T)

    assert signing.verify(header, "payload", [SECRET, PREVIOUS], now=T, tolerance=300) == (True, "")
    assert signing.verify(header, "payload", [SECRET], now=T, tolerance=300)[0] is False


@pytest.mark.parametrize("offset, ok", [(-300, True), (300, True), (-301, False), (301, False)])
def test_a_signature_is_accepted_up_to_300_seconds_either_way(offset, ok):
    header = signing.sign(SECRET, "payload", T + offset)

    assert signing.verify(header, "payload", [SECRET], now=T, tolerance=300)[0] is ok


@pytest.mark.parametrize("offset, ok", [(-300, True), (30, True), (31, False), (300, False)])
def test_a_signature_from_the_future_is_accepted_only_within_the_skew(offset, ok):
    header = signing.sign(SECRET, "payload", T + offset)

    assert signing.verify(header, "payload", [SECRET], now=T, tolerance=300, future_skew=30)[0] is ok


@pytest.mark.parametrize("header", ["", "v1=abc", "t=abc,v1=00", "t=123", "garbage"])
def test_a_malformed_header_does_not_verify(header):
    ok, detail = signing.verify(header, "payload", [SECRET], now=T, tolerance=300)

    assert ok is False
    assert detail


def test_a_header_with_several_v1_values_verifies_if_one_matches():
    good = signing.sign(SECRET, "payload", T)

    assert signing.verify(f"t={T},v1=00,{good.split(',')[1]}", "payload", [SECRET], now=T, tolerance=300)[0]


# --- the endpoint ----------------------------------------------------------------------------------------------


@pytest.fixture
def signed_click(db, affiliate):
    """A click of an advertiser that requires signatures instead of its security token."""
    advertiser = factories.AdvertiserFactory(
        signing_secret=SECRET, signing_secret_previous=PREVIOUS, require_signature=True, token_required=False
    )
    return factories.ClickFactory(offer=factories.OfferFactory(advertiser=advertiser), affiliate=affiliate)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def assert_invalid_signature(response):
    assert response.status_code == 403
    assert response.json()["reason"] == "invalid_signature"
    assert not Conversion.objects.exists()
    log = PostbackLog.objects.order_by("-id").first()
    assert log.reason == "invalid_signature"
    assert trace_of(log) == trace_failing_at("invalid_signature")
    return log


@pytest.mark.parametrize("how", ["get", "form", "json"])
def test_a_postback_signed_with_the_current_secret_converts(send_postback, signed_click, how):
    response = send_postback({"transaction_id": signed_click.transaction_id, "amount": "10.00"}, how=how, secret=SECRET)

    assert response.status_code == 200
    assert Conversion.objects.count() == 1
    assert ("invalid_signature", True) in trace_of(only_log())


@pytest.mark.parametrize("how", ["get", "json"])
def test_a_postback_signed_with_the_previous_secret_converts_during_a_rotation(send_postback, signed_click, how):
    response = send_postback({"transaction_id": signed_click.transaction_id}, how=how, secret=PREVIOUS)

    assert response.status_code == 200
    assert Conversion.objects.count() == 1


def test_after_the_rotation_ends_the_previous_secret_no_longer_signs(send_postback, signed_click):
    signed_click.offer.advertiser.signing_secret_previous = ""
    signed_click.offer.advertiser.save()

    response = send_postback({"transaction_id": signed_click.transaction_id}, secret=PREVIOUS)

    assert_invalid_signature(response)


def test_a_signature_made_with_another_secret_is_refused(send_postback, signed_click):
    response = send_postback({"transaction_id": signed_click.transaction_id}, secret="someone-elses-secret")

    log = assert_invalid_signature(response)
    assert "does not match" in log.detail


def test_a_signature_over_other_parameters_is_refused(send_postback, signed_click):
    header = signing.sign(SECRET, urlencode({"transaction_id": signed_click.transaction_id, "amount": "1"}))

    response = send_postback({"transaction_id": signed_click.transaction_id, "amount": "1000"}, signature=header)

    assert_invalid_signature(response)


def test_a_signed_query_string_does_not_sign_a_body(client, signed_click):
    query = urlencode({"transaction_id": signed_click.transaction_id})
    body = urlencode({"amount": "1000"})

    response = client.post(
        f"/postback?{query}",
        body,
        content_type="application/x-www-form-urlencoded",
        headers={"X-Tally-Signature": signing.sign(SECRET, query)},
    )

    assert_invalid_signature(response)


@pytest.mark.parametrize("seconds", [-301, 301, -3600])
def test_a_stale_or_future_signature_is_refused(send_postback, signed_click, seconds):
    response = send_postback({"transaction_id": signed_click.transaction_id}, secret=SECRET, signed_at=T + seconds)

    log = assert_invalid_signature(response)
    assert "tolerance" in log.detail


@pytest.mark.parametrize("seconds", [-300, 30])
def test_a_signature_300_seconds_old_or_30_seconds_ahead_is_still_accepted(send_postback, signed_click, seconds):
    response = send_postback({"transaction_id": signed_click.transaction_id}, secret=SECRET, signed_at=T + seconds)

    assert response.status_code == 200


def test_a_signature_goes_stale_as_time_passes(send_postback, signed_click, frozen_time):
    header = signing.sign(SECRET, urlencode({"transaction_id": signed_click.transaction_id}))

    with time_machine.travel(NOW.timestamp() + 301, tick=False):
        response = send_postback({"transaction_id": signed_click.transaction_id}, signature=header)

    assert_invalid_signature(response)


def test_a_required_signature_that_is_absent_is_refused(send_postback, signed_click):
    response = send_postback({"transaction_id": signed_click.transaction_id})

    assert_invalid_signature(response)


def test_a_malformed_signature_header_is_refused(send_postback, signed_click):
    response = send_postback({"transaction_id": signed_click.transaction_id}, signature="sha256=deadbeef")

    log = assert_invalid_signature(response)
    assert "malformed" in log.detail


def test_an_unsigned_postback_converts_when_the_advertiser_does_not_require_a_signature(db, send_postback):
    advertiser = factories.AdvertiserFactory(signing_secret=SECRET)
    click = factories.ClickFactory(offer=factories.OfferFactory(advertiser=advertiser))

    response = send_postback({"transaction_id": click.transaction_id})

    assert response.status_code == 200
    assert {"rule": "invalid_signature", "ok": True, "detail": "no signature required"} in only_log().trace


def test_a_signature_sent_though_not_required_is_still_checked(db, send_postback):
    advertiser = factories.AdvertiserFactory(signing_secret=SECRET)
    click = factories.ClickFactory(offer=factories.OfferFactory(advertiser=advertiser))

    good = send_postback({"transaction_id": click.transaction_id, "adv_sub": "1"}, secret=SECRET)
    bad = send_postback({"transaction_id": click.transaction_id, "adv_sub": "2"}, secret="wrong")

    assert good.status_code == 200
    assert bad.status_code == 403
    assert bad.json()["reason"] == "invalid_signature"
    assert Conversion.objects.count() == 1


def test_a_signed_postback_on_the_hasoffers_alias_is_checked_the_same_way(client, signed_click):
    query = urlencode({"transaction_id": signed_click.transaction_id})

    good = client.get(f"/aff_lsr?{query}", headers={"X-Tally-Signature": signing.sign(SECRET, query)})
    bad = client.get(f"/aff_lsr?{query}", headers={"X-Tally-Signature": signing.sign("nope", query)})

    assert (good.status_code, good.content) == (200, b"success=true;")
    assert (bad.status_code, bad.content) == (403, b"success=false; err_msg=invalid_signature;")


def test_a_signed_body_does_not_let_unsigned_query_parameters_through(client, signed_click):
    body = urlencode({"transaction_id": signed_click.transaction_id})

    response = client.post(
        "/postback?amount=99999",
        body,
        content_type="application/x-www-form-urlencoded",
        headers={"X-Tally-Signature": signing.sign(SECRET, body)},
    )

    log = assert_invalid_signature(response)
    assert "query string" in log.detail


def test_an_unsigned_post_may_still_mix_query_and_body_parameters(db, client):
    click = factories.ClickFactory()

    response = client.post(
        f"/postback?transaction_id={click.transaction_id}",
        {"amount": "12.50", "security_token": factories.SECURITY_TOKEN},
    )

    assert response.status_code == 200
    assert str(Conversion.objects.get().amount) == "12.50"
