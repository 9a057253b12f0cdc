"""GET|POST /postback and the HasOffers aliases /aff_lsr and /aff_goal (docs/postbacks.md): what an accepted postback
answers and records, both protocols, test postbacks, the log row, and how many queries it takes."""

from decimal import Decimal

import pytest
from django.db import connection

from conversions.models import Conversion, PostbackLog
from offers.models import Offer, OfferAccess
from tests import factories
from tests.conversions.conftest import ADVERTISER_IP, TRACE_ALL_PASSED, only_log, trace_failing_at, trace_of
from tests.factories import SECURITY_TOKEN

pytestmark = pytest.mark.django_db


# --- an accepted postback --------------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["get", "form", "json"])
def test_a_postback_for_a_known_transaction_records_an_approved_conversion(send_postback, click, how):
    params = {
        "transaction_id": click.transaction_id,
        "amount": "49.90",
        "adv_sub": "ORDER-1001",
        "adv_sub2": "sku-7",
        "adv_sub5": "café & co",
        "currency": "usd",
    }

    response = send_postback(params, how=how)

    assert response.status_code == 200
    conversion = Conversion.objects.get()
    assert response.json() == {
        "status": "approved",
        "conversion_id": conversion.pk,
        "transaction_id": click.transaction_id,
    }
    assert conversion.click == click
    assert conversion.offer == click.offer
    assert conversion.affiliate == click.affiliate
    assert conversion.goal is None
    assert conversion.transaction_id == click.transaction_id
    assert conversion.amount == Decimal("49.90")
    assert conversion.payout == Decimal("5.00")
    assert conversion.revenue == Decimal("8.00")
    assert conversion.currency == "USD"
    assert (conversion.adv_sub, conversion.adv_sub2, conversion.adv_sub5) == ("ORDER-1001", "sku-7", "café & co")
    assert conversion.status == Conversion.Status.APPROVED
    assert conversion.status_reason == ""
    log = only_log()
    assert log.verdict == PostbackLog.Verdict.APPROVED
    assert log.reason == ""
    assert log.http_status == 200
    assert log.conversion == conversion
    assert log.offer == click.offer
    assert log.method == ("GET" if how == "get" else "POST")
    assert log.path == "/postback"
    assert log.source_ip == ADVERTISER_IP
    assert log.params == {**params, "security_token": "***"}  # as received, the token masked
    assert log.is_test is False
    assert log.replay_of is None
    assert trace_of(log) == TRACE_ALL_PASSED


def test_a_json_postback_may_send_the_amount_as_a_number(client, click):
    response = client.post(
        "/postback",
        {"security_token": SECURITY_TOKEN, "transaction_id": click.transaction_id, "amount": 19.99},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert Conversion.objects.get().amount == Decimal("19.99")


def test_a_json_postback_with_a_charset_in_its_content_type_is_read_as_json(client, click):
    response = client.post(
        "/postback",
        f'{{"transaction_id": "{click.transaction_id}", "security_token": "{SECURITY_TOKEN}"}}',
        content_type="application/json; charset=utf-8",
    )

    assert response.status_code == 200


def test_a_postback_without_an_amount_records_a_zero_sale(send_postback, click):
    send_postback({"transaction_id": click.transaction_id})

    assert Conversion.objects.get().amount == Decimal("0")


def test_a_postback_on_a_manual_approval_offer_records_a_pending_conversion(send_postback, affiliate):
    click = factories.ClickFactory(
        offer=factories.OfferFactory(conversion_approval=Offer.Approval.MANUAL), affiliate=affiliate
    )

    response = send_postback({"transaction_id": click.transaction_id})

    assert response.status_code == 200
    conversion = Conversion.objects.get()
    assert response.json() == {
        "status": "pending",
        "conversion_id": conversion.pk,
        "transaction_id": click.transaction_id,
    }
    assert conversion.status == Conversion.Status.PENDING
    assert only_log().verdict == PostbackLog.Verdict.PENDING


def test_a_postback_to_a_goal_records_a_goal_conversion(send_postback, click):
    goal = factories.GoalFactory(offer=click.offer)

    response = send_postback({"transaction_id": click.transaction_id, "goal_id": goal.pk})

    assert response.status_code == 200
    assert Conversion.objects.get().goal == goal


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_not_allowed(client, click, method):
    response = getattr(client, method)(
        f"/postback?transaction_id={click.transaction_id}&security_token={SECURITY_TOKEN}"
    )

    assert response.status_code == 405
    assert not Conversion.objects.exists()


def test_parameters_the_endpoint_does_not_know_are_ignored_and_kept_in_the_log(send_postback, click):
    response = send_postback({"transaction_id": click.transaction_id, "aff_sub": "x", "utm_source": "y"})

    assert response.status_code == 200
    assert only_log().params["utm_source"] == "y"


# --- the partner-ID protocol -----------------------------------------------------------------------------------


def test_a_partner_id_postback_on_a_public_offer_records_a_conversion_without_a_click(send_postback, offer, affiliate):
    response = send_postback({"offer_id": offer.pk, "aff_id": affiliate.pk, "amount": "20", "adv_sub": "R-1"})

    assert response.status_code == 200
    conversion = Conversion.objects.get()
    assert response.json() == {"status": "approved", "conversion_id": conversion.pk, "transaction_id": ""}
    assert conversion.click is None
    assert conversion.transaction_id == ""
    assert (conversion.offer, conversion.affiliate) == (offer, affiliate)
    assert conversion.adv_sub == "R-1"
    log = only_log()
    assert trace_of(log) == TRACE_ALL_PASSED
    assert log.offer == offer


@pytest.mark.parametrize("visibility", [Offer.Visibility.APPROVAL_REQUIRED, Offer.Visibility.PRIVATE])
def test_a_partner_id_postback_converts_for_an_affiliate_with_approved_access(send_postback, affiliate, visibility):
    offer = factories.OfferFactory(visibility=visibility)
    factories.OfferAccessFactory(offer=offer, affiliate=affiliate, status=OfferAccess.Status.APPROVED)

    response = send_postback({"offer_id": offer.pk, "aff_id": affiliate.pk})

    assert response.status_code == 200
    assert Conversion.objects.get().affiliate == affiliate


def test_partner_id_conversions_recur_without_a_conversion_unique_id(send_postback, offer, affiliate):
    responses = [send_postback({"offer_id": offer.pk, "aff_id": affiliate.pk}) for _ in range(3)]

    assert [r.status_code for r in responses] == [200, 200, 200]
    assert Conversion.objects.count() == 3


def test_a_partner_id_postback_has_no_session_to_expire(send_postback, offer, affiliate):
    response = send_postback({"offer_id": offer.pk, "aff_id": affiliate.pk})

    assert response.status_code == 200
    expiry = next(step for step in only_log().trace if step["rule"] == "expired_transaction")
    assert expiry["ok"] is True
    assert "no session" in expiry["detail"]


def test_a_transaction_id_wins_over_a_partner_id_sent_with_it(send_postback, click):
    other_affiliate = factories.AffiliateFactory()

    response = send_postback(
        {"transaction_id": click.transaction_id, "offer_id": click.offer_id, "aff_id": other_affiliate.pk}
    )

    assert response.status_code == 200
    assert Conversion.objects.get().affiliate == click.affiliate


# --- the HasOffers aliases -------------------------------------------------------------------------------------


def test_aff_lsr_answers_success_true_in_hasoffers_text(client, click):
    response = client.get(
        "/aff_lsr", {"security_token": SECURITY_TOKEN, "transaction_id": click.transaction_id, "amount": "5"}
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content == b"success=true;"
    conversion = Conversion.objects.get()
    assert conversion.click == click
    assert only_log().path == "/aff_lsr"


def test_aff_lsr_accepts_the_partner_id_protocol(client, offer, affiliate):
    response = client.post("/aff_lsr", {"security_token": SECURITY_TOKEN, "offer_id": offer.pk, "aff_id": affiliate.pk})

    assert response.status_code == 200
    assert response.content == b"success=true;"
    assert Conversion.objects.get().click is None


def test_aff_lsr_refuses_with_hasoffers_text_and_an_honest_status(client):
    response = client.get("/aff_lsr", {"security_token": SECURITY_TOKEN, "transaction_id": "no-such-click"})

    assert response.status_code == 404
    assert response.content == b"success=false; err_msg=unknown_transaction;"
    assert only_log().reason == "unknown_transaction"


def test_aff_lsr_reports_a_duplicate_with_409(client, click):
    client.get("/aff_lsr", {"security_token": SECURITY_TOKEN, "transaction_id": click.transaction_id})

    response = client.get("/aff_lsr", {"security_token": SECURITY_TOKEN, "transaction_id": click.transaction_id})

    assert response.status_code == 409
    assert response.content == b"success=false; err_msg=duplicate;"
    assert Conversion.objects.count() == 1


def test_aff_goal_records_a_conversion_of_the_named_goal(client, click):
    goal = factories.GoalFactory(offer=click.offer, payout=Decimal("1.25"), revenue=Decimal("2.50"))

    response = client.get(
        "/aff_goal",
        {"security_token": SECURITY_TOKEN, "a": "lsr", "goal_id": goal.pk, "transaction_id": click.transaction_id},
    )

    assert response.status_code == 200
    assert response.content == b"success=true;"
    conversion = Conversion.objects.get()
    assert conversion.goal == goal
    assert (conversion.payout, conversion.revenue) == (Decimal("1.25"), Decimal("2.50"))


def test_aff_goal_without_a_goal_id_is_missing_parameter(client, click):
    response = client.get(
        "/aff_goal", {"security_token": SECURITY_TOKEN, "a": "lsr", "transaction_id": click.transaction_id}
    )

    assert response.status_code == 400
    assert response.content == b"success=false; err_msg=missing_parameter;"
    assert not Conversion.objects.exists()
    log = only_log()
    assert log.reason == "missing_parameter"
    assert log.path == "/aff_goal"
    assert "goal_id" in log.detail


def test_aff_goal_answers_a_pending_conversion_with_success_true(client, affiliate):
    offer = factories.OfferFactory(conversion_approval=Offer.Approval.MANUAL)
    click = factories.ClickFactory(offer=offer, affiliate=affiliate)
    goal = factories.GoalFactory(offer=offer)

    response = client.get(
        "/aff_goal",
        {"security_token": SECURITY_TOKEN, "a": "lsr", "goal_id": goal.pk, "transaction_id": click.transaction_id},
    )

    assert response.status_code == 200
    assert response.content == b"success=true;"
    assert Conversion.objects.get().status == Conversion.Status.PENDING


# --- test=1 ----------------------------------------------------------------------------------------------------


def test_a_test_postback_runs_every_rule_and_records_no_conversion(send_postback, click):
    response = send_postback({"transaction_id": click.transaction_id, "amount": "10", "test": "1"})

    assert response.status_code == 200
    assert response.json() == {"status": "approved", "conversion_id": None, "transaction_id": click.transaction_id}
    assert not Conversion.objects.exists()
    log = only_log()
    assert log.is_test is True
    assert log.verdict == PostbackLog.Verdict.APPROVED
    assert log.conversion is None
    assert trace_of(log) == TRACE_ALL_PASSED


def test_a_test_postback_leaves_the_transaction_free_for_the_real_one(send_postback, click):
    send_postback({"transaction_id": click.transaction_id, "test": "1"})

    response = send_postback({"transaction_id": click.transaction_id})

    assert response.status_code == 200
    assert Conversion.objects.count() == 1


def test_a_failing_test_postback_is_logged_as_a_test_with_its_reason(send_postback):
    click = factories.ClickFactory(
        offer=factories.OfferFactory(advertiser=factories.AdvertiserFactory(security_token="t"))
    )

    response = send_postback({"transaction_id": click.transaction_id, "test": "1"})

    assert response.status_code == 403
    assert response.json()["reason"] == "invalid_token"
    log = only_log()
    assert log.is_test is True
    assert log.reason == "invalid_token"
    assert trace_of(log) == trace_failing_at("invalid_token")


def test_a_test_postback_reports_a_duplicate_without_writing(send_postback, click):
    send_postback({"transaction_id": click.transaction_id})

    response = send_postback({"transaction_id": click.transaction_id, "test": "1"})

    assert response.status_code == 409
    assert response.json()["reason"] == "duplicate"
    assert Conversion.objects.count() == 1
    log = PostbackLog.objects.get(is_test=True)
    assert log.reason == "duplicate"
    assert trace_of(log) == trace_failing_at("duplicate")


def test_a_test_postback_reports_a_full_cap_without_recording_a_rejected_conversion(send_postback, affiliate):
    offer = factories.OfferFactory(daily_cap=1)
    send_postback({"transaction_id": factories.ClickFactory(offer=offer).transaction_id})
    click = factories.ClickFactory(offer=offer, affiliate=affiliate)

    response = send_postback({"transaction_id": click.transaction_id, "test": "1"})

    assert response.status_code == 409
    assert response.json()["reason"] == "cap_reached"
    assert Conversion.objects.count() == 1
    assert not Conversion.objects.filter(status=Conversion.Status.REJECTED).exists()
    log = PostbackLog.objects.get(is_test=True)
    assert log.reason == "cap_reached"
    assert log.conversion is None
    assert trace_of(log) == trace_failing_at("cap_reached")


def test_a_test_postback_on_a_manual_approval_offer_answers_pending(send_postback, affiliate):
    offer = factories.OfferFactory(conversion_approval=Offer.Approval.MANUAL)
    click = factories.ClickFactory(offer=offer, affiliate=affiliate)

    response = send_postback({"transaction_id": click.transaction_id, "test": "1"})

    assert response.json()["status"] == "pending"
    assert not Conversion.objects.exists()


def test_test_0_is_a_real_postback(send_postback, click):
    send_postback({"transaction_id": click.transaction_id, "test": "0"})

    assert Conversion.objects.count() == 1
    assert only_log().is_test is False


# --- the log ---------------------------------------------------------------------------------------------------


def test_the_security_token_is_masked_in_the_log(send_postback):
    advertiser = factories.AdvertiserFactory(security_token="very-secret-token")
    click = factories.ClickFactory(offer=factories.OfferFactory(advertiser=advertiser))

    accepted = send_postback({"transaction_id": click.transaction_id, "security_token": "very-secret-token"})
    refused = send_postback({"transaction_id": click.transaction_id, "security_token": "very-secret-tokem"})

    assert accepted.status_code == 200
    assert refused.status_code == 403
    for log in PostbackLog.objects.all():
        assert log.params["security_token"] == "***"
        assert "secret-tok" not in repr(log.params) + log.detail + repr(log.trace)


def test_the_security_token_is_masked_in_the_log_of_a_json_postback(send_postback, click):
    send_postback({"transaction_id": click.transaction_id, "security_token": "abc"}, how="json")

    assert only_log().params["security_token"] == "***"


def test_every_postback_writes_exactly_one_log_row(send_postback, click):
    send_postback({})
    send_postback({"transaction_id": "nope"})
    send_postback({"transaction_id": click.transaction_id})
    send_postback({"transaction_id": click.transaction_id})

    assert list(PostbackLog.objects.order_by("id").values_list("reason", flat=True)) == [
        "missing_parameter",
        "unknown_transaction",
        "",
        "duplicate",
    ]


# --- queries ---------------------------------------------------------------------------------------------------


def test_an_accepted_transaction_id_postback_takes_a_fixed_number_of_queries(
    send_postback, click, django_assert_num_queries, warm_blocklists
):
    # The click with its offer, advertiser, affiliate, offer access row and whether the affiliate has a postback URL
    # (outbox, docs/affiliate-postbacks.md#outbox-and-retries); then on PostgreSQL one statement inserting the
    # conversion (ON CONFLICT DO NOTHING) and its log row; on SQLite a savepoint, the conversion insert, the log insert
    # and the release.
    with django_assert_num_queries(QUERIES_ACCEPTED):
        response = send_postback({"transaction_id": click.transaction_id, "amount": "10"})

    assert response.status_code == 200


def test_an_unknown_transaction_postback_takes_a_fixed_number_of_queries(
    send_postback, click, django_assert_num_queries
):
    # Savepoint; the click lookup; rollback and release; the log insert.
    with django_assert_num_queries(QUERIES_UNKNOWN):
        response = send_postback({"transaction_id": "0" * 32})

    assert response.status_code == 404


QUERIES_ACCEPTED = 2 if connection.vendor == "postgresql" else 5
QUERIES_UNKNOWN = 2  # the click lookup, the log insert: no transaction around a rejection
