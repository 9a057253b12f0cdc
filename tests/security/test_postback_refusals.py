"""Every refusal of a postback is logged with its reason: one PostbackLog row (what a manager reads) and a line in the
application log (WARNING for refused credentials, INFO for the rest). One scenario per reason code of
docs/reason-codes.md."""

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from conversions.models import PostbackLog
from conversions.reasons import Reason
from offers.models import Offer
from partners.models import Affiliate
from quality.services import block_entry_add
from tests import factories
from tracking.models import Click

pytestmark = pytest.mark.django_db

CALLER = "192.0.2.10"


def _click(**offer_fields):
    return factories.ClickFactory(offer=factories.OfferFactory(**offer_fields))


def _expired_click():
    ended = timezone.now() - timedelta(minutes=1)
    return factories.ClickFactory(created_at=ended - timedelta(hours=1), expires_at=ended)


def _duplicate(send):
    click = factories.ClickFactory()
    send({"transaction_id": click.transaction_id})
    return {"transaction_id": click.transaction_id}


def _cap(send):
    offer = factories.OfferFactory(daily_cap=1)
    first, second = factories.ClickFactory.create_batch(2, offer=offer)
    send({"transaction_id": first.transaction_id})
    return {"transaction_id": second.transaction_id}


def _blocked(send):
    click = factories.ClickFactory(ip="203.0.113.9")
    block_entry_add(kind="ip", value="203.0.113.9")
    return {"transaction_id": click.transaction_id}


def _us_click():
    click = _click(country_mismatch_action="reject")
    Click.objects.filter(pk=click.pk).update(country="US")
    return click


SCENARIOS = {
    "missing_parameter": lambda send: {"amount": "1"},
    "invalid_parameter": lambda send: {"transaction_id": factories.ClickFactory().transaction_id, "amount": "-1"},
    "unknown_transaction": lambda send: {"transaction_id": "no-such-transaction"},
    "invalid_token": lambda send: {
        "transaction_id": factories.ClickFactory(offer__advertiser__security_token="t0k").transaction_id,
        "security_token": "guess",
    },
    "invalid_signature": lambda send: {
        "transaction_id": factories.ClickFactory(
            offer__advertiser__require_signature=True, offer__advertiser__signing_secret="s"
        ).transaction_id
    },
    "ip_not_allowed": lambda send: {
        "transaction_id": factories.ClickFactory(
            offer__advertiser__postback_ip_allowlist=["198.51.100.0/24"]
        ).transaction_id
    },
    "offer_mismatch": lambda send: {
        "transaction_id": factories.ClickFactory().transaction_id,
        "offer_id": factories.OfferFactory().pk,
    },
    "expired_transaction": lambda send: {"transaction_id": _expired_click().transaction_id},
    "offer_inactive": lambda send: {"transaction_id": _click(status=Offer.Status.ARCHIVED).transaction_id},
    "affiliate_not_allowed": lambda send: {
        "transaction_id": factories.ClickFactory(affiliate__status=Affiliate.Status.SUSPENDED).transaction_id
    },
    "duplicate": _duplicate,
    "cap_reached": _cap,
    "blocked_traffic": _blocked,
    # The conversion rules with action reject (docs/postbacks.md#conversion-rules): a rejected conversion is kept.
    "too_fast": lambda send: {"transaction_id": _click(too_fast_seconds=60, too_fast_action="reject").transaction_id},
    "country_mismatch": lambda send: {"transaction_id": _us_click().transaction_id, "ip": "195.50.140.1"},
    # Coupon codes (docs/postbacks.md#coupon-codes): a code the offer lacks, and one past its last day.
    "unknown_coupon": lambda send: {"offer_id": factories.OfferFactory().pk, "coupon_code": "NO-SUCH-CODE"},
    "coupon_expired": lambda send: _expired_coupon(),
}


def _expired_coupon():
    coupon = factories.CouponFactory(valid_until=timezone.localdate() - timedelta(days=2))
    return {"offer_id": coupon.offer_id, "coupon_code": coupon.code}


def test_there_is_a_scenario_for_every_reason_code():
    assert set(SCENARIOS) == set(Reason)


@pytest.mark.parametrize("reason", sorted(SCENARIOS))
def test_every_refusal_writes_a_log_row_and_an_application_log_line_with_its_reason(client, reason, caplog):
    def send(params):
        return client.get("/postback", {"security_token": factories.SECURITY_TOKEN, **params}, REMOTE_ADDR=CALLER)

    status = Reason(reason).http_status
    params = SCENARIOS[reason](send)
    before = PostbackLog.objects.count()
    with caplog.at_level(logging.INFO, logger="conversions.postback_pipeline"):
        response = send(params)

    assert response.status_code == status
    assert response.json()["reason"] == reason
    assert PostbackLog.objects.count() == before + 1
    log = PostbackLog.objects.latest("pk")
    assert (log.verdict, log.reason, log.http_status, log.source_ip) == (
        "rejected",
        reason,
        status,
        CALLER,
    )
    assert log.detail
    assert log.trace[-1]["rule"] == reason and log.trace[-1]["ok"] is False
    [record] = [r for r in caplog.records if r.name == "conversions.postback_pipeline"]
    assert record.getMessage().startswith(f"postback refused: {reason} from {CALLER} (log #{log.pk}): ")
    assert record.levelno == (logging.WARNING if Reason(reason).credential else logging.INFO)


def test_the_application_log_never_holds_the_security_token(client, caplog):
    click = factories.ClickFactory(offer__advertiser__security_token="t0k")
    with caplog.at_level(logging.INFO, logger="conversions.postback_pipeline"):
        client.get("/postback", {"transaction_id": click.transaction_id, "security_token": "almost-t0k"})

    assert "postback refused: invalid_token" in caplog.text
    assert "t0k" not in caplog.text


@pytest.mark.parametrize("token_required", [True, False])
def test_a_partner_id_postback_without_token_or_signature_is_refused_and_logged_as_a_warning(
    client, caplog, token_required
):
    offer = factories.OfferFactory(advertiser__token_required=token_required)
    affiliate = factories.AffiliateFactory()

    with caplog.at_level(logging.INFO, logger="conversions.postback_pipeline"):
        response = client.get("/postback", {"offer_id": offer.pk, "aff_id": affiliate.pk}, REMOTE_ADDR=CALLER)

    assert (response.status_code, response.json()["reason"]) == (403, "invalid_token")
    log = PostbackLog.objects.get()
    assert (log.verdict, log.reason, log.conversion) == ("rejected", "invalid_token", None)
    [record] = [r for r in caplog.records if r.name == "conversions.postback_pipeline"]
    assert record.levelno == logging.WARNING


def test_a_json_body_nested_a_thousand_levels_deep_is_refused_and_logged(client, caplog):
    body = "[" * 1000 + "]" * 1000

    with caplog.at_level(logging.INFO, logger="conversions.postback_pipeline"):
        response = client.post("/postback", body, content_type="application/json", REMOTE_ADDR=CALLER)

    assert (response.status_code, response.json()["reason"]) == (400, "invalid_parameter")
    log = PostbackLog.objects.get()
    assert (log.verdict, log.reason, log.http_status, log.source_ip) == ("rejected", "invalid_parameter", 400, CALLER)
    assert "postback refused: invalid_parameter" in caplog.text
