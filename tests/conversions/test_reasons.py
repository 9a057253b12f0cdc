"""The Reason enumeration: the one place that says what each postback reason code answers, reads as and allows."""

import pytest

from areas.manager.conversions import readable_trace
from conversions.models import PostbackLog
from conversions.reasons import Reason
from tests.conversions.conftest import only_log

# docs/reason-codes.md: the codes are protocol, and so is their order (the first failing rule decides).
SPEC_ORDER = [
    "missing_parameter",
    "invalid_parameter",
    "unknown_transaction",
    "unknown_coupon",
    "invalid_token",
    "invalid_signature",
    "ip_not_allowed",
    "offer_mismatch",
    "expired_transaction",
    "coupon_expired",
    "offer_inactive",
    "affiliate_not_allowed",
    "blocked_traffic",
    "duplicate",
    "too_fast",
    "country_mismatch",
    "cap_reached",
]


@pytest.mark.parametrize("reason", list(Reason), ids=str)
def test_every_reason_has_an_http_status_a_label_and_its_flags(reason):
    assert isinstance(reason.http_status, int) and 400 <= reason.http_status < 500
    assert isinstance(reason.label, str) and reason.label.strip()
    assert isinstance(reason.replayable, bool)
    assert isinstance(reason.credential, bool)
    assert not (reason.replayable and reason.credential)


def test_the_codes_and_their_order_are_the_specs():
    assert [reason.value for reason in Reason] == SPEC_ORDER
    assert [str(reason) for reason in Reason] == SPEC_ORDER  # what the answers and the log rows carry


def test_the_statuses_replays_and_credential_rules_are_the_specs():
    assert {reason: reason.http_status for reason in Reason} == {
        "missing_parameter": 400,
        "invalid_parameter": 400,
        "unknown_transaction": 404,
        "unknown_coupon": 404,
        "invalid_token": 403,
        "invalid_signature": 403,
        "ip_not_allowed": 403,
        "offer_mismatch": 409,
        "expired_transaction": 410,
        "coupon_expired": 410,
        "offer_inactive": 409,
        "affiliate_not_allowed": 403,
        "blocked_traffic": 403,
        "duplicate": 409,
        "too_fast": 409,
        "country_mismatch": 409,
        "cap_reached": 409,
    }
    assert Reason.replayable_reasons() == (
        Reason.OFFER_INACTIVE,
        Reason.AFFILIATE_NOT_ALLOWED,
        Reason.BLOCKED_TRAFFIC,
    )
    assert Reason.credential_rules() == (Reason.INVALID_TOKEN, Reason.INVALID_SIGNATURE, Reason.IP_NOT_ALLOWED)


def test_lookup_knows_the_codes_and_nothing_else():
    assert Reason.lookup("duplicate") is Reason.DUPLICATE
    assert Reason.lookup("") is None
    assert Reason.lookup("rate_limited") is None  # an answer of the throttle, not a rule: never in the log
    assert Reason.lookup(None) is None


@pytest.mark.django_db
@pytest.mark.parametrize("protocol", ["transaction_id", "partner_id"])
def test_the_pipeline_checks_the_rules_in_the_enumerations_order(send_postback, click, protocol):
    if protocol == "transaction_id":
        params = {"transaction_id": click.transaction_id, "offer_id": str(click.offer_id)}
    else:
        params = {"offer_id": str(click.offer_id), "aff_id": str(click.affiliate_id)}

    response = send_postback(params)

    assert response.status_code == 200
    assert [step["rule"] for step in only_log().trace] == [reason.value for reason in Reason]


@pytest.mark.django_db
def test_the_managers_trace_reads_the_labels_of_the_enumeration(send_postback, click):
    send_postback({"transaction_id": click.transaction_id})

    rows = readable_trace(only_log())

    assert [(row["rule"], row["label"]) for row in rows] == [(reason.value, reason.label) for reason in Reason]
    old = PostbackLog(trace=[{"rule": "some_retired_rule", "ok": True, "detail": ""}])
    assert readable_trace(old)[0]["label"] == "some_retired_rule"
