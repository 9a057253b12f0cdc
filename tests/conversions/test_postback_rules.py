"""The rules of docs/postbacks.md#rules-in-order, one by one and in order: each refusal's HTTP status, reason code, log
row and trace."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from conversions.models import Conversion, PostbackLog
from offers.models import Offer, OfferAccess
from partners import services as partner_services
from partners.models import Affiliate
from tests import factories
from tests.conversions.conftest import TRACE_ALL_PASSED, only_log, trace_failing_at, trace_of

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 14, 15, 9, 26, tzinfo=UTC)


def assert_refused(response, reason, http_status):
    """The answer is an honest refusal naming the reason, and the log row says the same."""
    assert response.status_code == http_status, response.content
    body = response.json()
    assert body["status"] == "rejected"
    assert body["reason"] == reason
    assert body["detail"]
    log = PostbackLog.objects.order_by("-id").first()
    assert log.verdict == PostbackLog.Verdict.REJECTED
    assert log.reason == reason
    assert log.http_status == http_status
    assert log.detail == body["detail"]
    return body, log


def assert_no_conversion():
    assert not Conversion.objects.exists()


# --- missing_parameter -----------------------------------------------------------------------------------------


def test_a_postback_with_neither_transaction_id_nor_partner_id_is_refused_as_missing_parameter(send_postback):
    response = send_postback({"amount": "10", "adv_sub": "order-1"}, token=None)

    _, log = assert_refused(response, "missing_parameter", 400)
    assert_no_conversion()
    assert trace_of(log) == trace_failing_at("missing_parameter")
    assert log.params == {"amount": "10", "adv_sub": "order-1"}
    assert log.offer is None


@pytest.mark.parametrize("params", [{"offer_id": "1"}, {"aff_id": "1"}, {"transaction_id": "   "}])
def test_half_a_partner_id_or_a_blank_transaction_id_is_missing_parameter(send_postback, params):
    response = send_postback(params)

    assert_refused(response, "missing_parameter", 400)
    assert_no_conversion()


# --- invalid_parameter -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "amount",
    [
        "-1",
        "-0.01",
        "ten",
        "12,50",
        "NaN",
        "nan",
        "sNaN",
        "Infinity",
        "-Infinity",
        "inf",
        "1e400",
        "0x10",
        "1000000000000",
    ],
)
def test_an_amount_that_is_not_a_non_negative_finite_decimal_is_invalid_parameter(send_postback, click, amount):
    response = send_postback({"transaction_id": click.transaction_id, "amount": amount})

    body, log = assert_refused(response, "invalid_parameter", 400)
    assert "amount" in body["detail"]
    assert_no_conversion()
    assert trace_of(log) == trace_failing_at("invalid_parameter")


@pytest.mark.parametrize(
    "name, value",
    [
        ("offer_id", "abc"),
        ("offer_id", "-3"),
        ("offer_id", "1.5"),
        ("offer_id", "1e3"),
        ("offer_id", "1234567890123456789"),
        ("offer_id", "7\n"),
        ("goal_id", "two"),
        ("goal_id", "0x1"),
    ],
)
def test_a_malformed_id_is_invalid_parameter(send_postback, click, name, value):
    response = send_postback({"transaction_id": click.transaction_id, name: value})

    body, _ = assert_refused(response, "invalid_parameter", 400)
    assert name in body["detail"]
    assert_no_conversion()


def test_a_malformed_partner_id_is_invalid_parameter(send_postback, offer):
    response = send_postback({"offer_id": offer.pk, "aff_id": "partner-7"})

    assert_refused(response, "invalid_parameter", 400)
    assert_no_conversion()


@pytest.mark.parametrize(
    "name, length",
    [("transaction_id", 65), ("adv_sub", 2049), ("adv_sub5", 2049), ("conversion_unique_id", 256)],
)
def test_a_value_longer_than_its_limit_is_invalid_parameter(send_postback, click, name, length):
    params = {"transaction_id": click.transaction_id, name: "x" * length}

    response = send_postback(params)

    body, _ = assert_refused(response, "invalid_parameter", 400)
    assert name in body["detail"]
    assert_no_conversion()


def test_values_at_their_length_limit_are_accepted(send_postback, click):
    response = send_postback(
        {"transaction_id": click.transaction_id, "adv_sub": "a" * 2048, "conversion_unique_id": "u" * 255}
    )

    assert response.status_code == 200
    conversion = Conversion.objects.get()
    assert conversion.adv_sub == "a" * 2048
    assert conversion.conversion_unique_id == "u" * 255


@pytest.mark.parametrize("name", ["transaction_id", "adv_sub", "adv_sub3", "conversion_unique_id"])
def test_a_nul_byte_in_a_value_is_invalid_parameter(send_postback, click, name):
    params = {"transaction_id": click.transaction_id}
    params[name] = params.get(name, "order") + "\x00"

    response = send_postback(params)

    body, log = assert_refused(response, "invalid_parameter", 400)
    assert name in body["detail"]
    assert_no_conversion()
    assert log.params[name].startswith(params[name][:-1])


def test_a_nul_byte_in_a_parameter_the_endpoint_ignores_still_leaves_a_log_row(send_postback, click):
    response = send_postback({"transaction_id": click.transaction_id, "note\x00": "a\x00b"})

    assert response.status_code == 200
    log = only_log()
    assert log.verdict == PostbackLog.Verdict.APPROVED
    assert len(log.params) == 3  # with the masked security_token


def test_a_json_body_nested_a_thousand_levels_deep_is_invalid_parameter_with_its_log_row(client, click):
    body = '{"transaction_id": ' + "[" * 1000 + "]" * 1000 + "}"

    response = client.post("/postback", body, content_type="application/json")

    body_json, log = assert_refused(response, "invalid_parameter", 400)
    assert "JSON" in body_json["detail"]
    assert_no_conversion()
    assert trace_of(log) == [("invalid_parameter", False)]
    assert log.params["_body"] == body[:2000]


@pytest.mark.parametrize("body", ["{not json", '["transaction_id", "abc"]', '"abc"', '{"transaction_id": "\x00'])
def test_a_json_body_that_is_not_a_json_object_is_invalid_parameter(client, click, body):
    response = client.post("/postback", body, content_type="application/json")

    body_json, log = assert_refused(response, "invalid_parameter", 400)
    assert "JSON" in body_json["detail"]
    assert_no_conversion()
    assert trace_of(log) == [("invalid_parameter", False)]
    assert "_body" in log.params


def test_a_currency_that_is_not_an_iso_code_is_invalid_parameter(send_postback, click):
    response = send_postback({"transaction_id": click.transaction_id, "currency": "dollars"})

    assert_refused(response, "invalid_parameter", 400)
    assert_no_conversion()


def test_a_currency_other_than_the_offers_is_invalid_parameter(send_postback, click):
    response = send_postback({"transaction_id": click.transaction_id, "currency": "EUR"})

    body, log = assert_refused(response, "invalid_parameter", 400)
    assert "EUR" in body["detail"]
    assert_no_conversion()
    assert log.offer == click.offer


def test_a_goal_of_another_offer_is_invalid_parameter(send_postback, click):
    other_goal = factories.GoalFactory()

    response = send_postback({"transaction_id": click.transaction_id, "goal_id": other_goal.pk})

    body, _ = assert_refused(response, "invalid_parameter", 400)
    assert "goal_id" in body["detail"]
    assert_no_conversion()


# --- unknown_transaction ---------------------------------------------------------------------------------------


def test_an_unknown_transaction_id_is_refused_with_404(send_postback, click):
    response = send_postback({"transaction_id": "0" * 32, "amount": "10"})

    _, log = assert_refused(response, "unknown_transaction", 404)
    assert_no_conversion()
    assert trace_of(log) == trace_failing_at("unknown_transaction")
    assert log.offer is None


def test_a_partner_id_postback_for_an_unknown_offer_is_unknown_transaction(send_postback, affiliate):
    response = send_postback({"offer_id": 999999, "aff_id": affiliate.pk})

    _, log = assert_refused(response, "unknown_transaction", 404)
    assert_no_conversion()
    assert trace_of(log) == trace_failing_at("unknown_transaction")


def test_a_partner_id_postback_for_an_unknown_affiliate_is_unknown_transaction(send_postback, offer):
    response = send_postback({"offer_id": offer.pk, "aff_id": 999999})

    assert_refused(response, "unknown_transaction", 404)
    assert_no_conversion()


# --- invalid_token ---------------------------------------------------------------------------------------------


@pytest.fixture
def token_click(affiliate):
    offer = factories.OfferFactory(advertiser=factories.AdvertiserFactory(security_token="s3cret-token"))
    return factories.ClickFactory(offer=offer, affiliate=affiliate)


def test_a_missing_security_token_is_refused_when_the_advertiser_requires_one(send_postback, token_click):
    response = send_postback({"transaction_id": token_click.transaction_id}, token=None)

    body, log = assert_refused(response, "invalid_token", 403)
    assert "missing" in body["detail"]
    assert_no_conversion()
    assert trace_of(log) == trace_failing_at("invalid_token")
    assert log.offer == token_click.offer


def test_a_wrong_security_token_is_refused(send_postback, token_click):
    response = send_postback({"transaction_id": token_click.transaction_id, "security_token": "s3cret-tokem"})

    body, log = assert_refused(response, "invalid_token", 403)
    assert "wrong" in body["detail"]
    assert_no_conversion()
    assert log.params["security_token"] == "***"


def test_the_right_security_token_converts(send_postback, token_click):
    response = send_postback({"transaction_id": token_click.transaction_id, "security_token": "s3cret-token"})

    assert response.status_code == 200
    assert Conversion.objects.count() == 1


def test_a_click_postback_converts_without_a_token_when_a_manager_turned_the_requirement_off(send_postback):
    click = factories.ClickFactory(offer__advertiser__token_required=False)

    response = send_postback({"transaction_id": click.transaction_id}, token=None)

    assert response.status_code == 200
    assert Conversion.objects.count() == 1
    assert ("invalid_token", True) in trace_of(only_log())


def test_a_new_advertiser_has_a_token_so_a_partner_id_postback_without_it_is_refused(send_postback, affiliate):
    advertiser = partner_services.advertiser_create(name="New Shop")
    offer = factories.OfferFactory(advertiser=advertiser)

    response = send_postback({"offer_id": offer.pk, "aff_id": affiliate.pk}, token=None)

    body, log = assert_refused(response, "invalid_token", 403)
    assert "missing" in body["detail"]
    assert_no_conversion()
    assert trace_of(log) == trace_failing_at("invalid_token")
    assert advertiser.security_token and advertiser.token_required


def test_a_partner_id_postback_needs_the_token_even_when_a_manager_turned_the_requirement_off(send_postback):
    offer = factories.OfferFactory(advertiser__token_required=False)
    affiliate = factories.AffiliateFactory()

    without = send_postback({"offer_id": offer.pk, "aff_id": affiliate.pk}, token=None)
    assert_refused(without, "invalid_token", 403)
    wrong = send_postback({"offer_id": offer.pk, "aff_id": affiliate.pk, "security_token": "guess"})
    assert_refused(wrong, "invalid_token", 403)
    right = send_postback({"offer_id": offer.pk, "aff_id": affiliate.pk})

    assert right.status_code == 200
    assert Conversion.objects.count() == 1


def test_a_partner_id_postback_of_an_advertiser_without_a_token_is_refused(send_postback, affiliate):
    offer = factories.OfferFactory(advertiser__token_required=False, advertiser__security_token="")

    response = send_postback({"offer_id": offer.pk, "aff_id": affiliate.pk, "security_token": ""})

    assert_refused(response, "invalid_token", 403)
    assert_no_conversion()


# --- ip_not_allowed --------------------------------------------------------------------------------------------


def click_with_allowlist(allowlist):
    advertiser = factories.AdvertiserFactory(postback_ip_allowlist=allowlist)
    return factories.ClickFactory(offer=factories.OfferFactory(advertiser=advertiser))


@pytest.mark.parametrize(
    "allowlist, caller",
    [
        (["192.0.2.10"], "192.0.2.10"),
        (["192.0.2.0/24"], "192.0.2.200"),
        (["10.0.0.1", "198.51.100.0/28"], "198.51.100.15"),
        (["2001:db8::/32"], "2001:db8::5"),
    ],
)
def test_a_caller_on_the_advertisers_allowlist_converts(send_postback, allowlist, caller):
    click = click_with_allowlist(allowlist)

    response = send_postback({"transaction_id": click.transaction_id}, remote_addr=caller)

    assert response.status_code == 200
    assert Conversion.objects.count() == 1
    assert only_log().source_ip == caller


@pytest.mark.parametrize(
    "allowlist, caller",
    [
        (["192.0.2.10"], "192.0.2.11"),
        (["192.0.2.0/24"], "192.0.3.1"),
        (["10.0.0.1", "198.51.100.0/28"], "198.51.100.16"),
        (["2001:db8::/32"], "2001:db9::5"),
    ],
)
def test_a_caller_off_the_advertisers_allowlist_is_refused(send_postback, allowlist, caller):
    click = click_with_allowlist(allowlist)

    response = send_postback({"transaction_id": click.transaction_id}, remote_addr=caller)

    body, log = assert_refused(response, "ip_not_allowed", 403)
    assert caller in body["detail"]
    assert_no_conversion()
    assert trace_of(log) == trace_failing_at("ip_not_allowed")
    assert log.source_ip == caller


def test_a_forged_x_forwarded_for_does_not_get_past_the_allowlist_without_a_trusted_proxy(send_postback):
    click = click_with_allowlist(["192.0.2.10"])

    response = send_postback(
        {"transaction_id": click.transaction_id}, remote_addr="203.0.113.9", HTTP_X_FORWARDED_FOR="192.0.2.10"
    )

    assert_refused(response, "ip_not_allowed", 403)


def test_behind_a_trusted_proxy_the_allowlist_checks_the_address_the_proxy_saw(send_postback, settings):
    settings.TALLY_TRUSTED_PROXY_COUNT = 1
    click = click_with_allowlist(["192.0.2.10"])

    response = send_postback(
        {"transaction_id": click.transaction_id}, remote_addr="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.10"
    )

    assert response.status_code == 200
    assert only_log().source_ip == "192.0.2.10"


def test_a_garbage_forwarded_address_from_a_trusted_proxy_is_refused_and_logged(send_postback, settings):
    settings.TALLY_TRUSTED_PROXY_COUNT = 1
    click = click_with_allowlist(["192.0.2.10"])

    response = send_postback(
        {"transaction_id": click.transaction_id}, remote_addr="10.0.0.2", HTTP_X_FORWARDED_FOR="not-an-ip"
    )

    _, log = assert_refused(response, "ip_not_allowed", 403)
    assert log.source_ip is None


# --- offer_mismatch --------------------------------------------------------------------------------------------


def test_an_offer_id_other_than_the_clicks_offer_is_refused_as_offer_mismatch(send_postback, click):
    other = factories.OfferFactory()

    response = send_postback({"transaction_id": click.transaction_id, "offer_id": other.pk})

    body, log = assert_refused(response, "offer_mismatch", 409)
    assert str(click.offer.pk) in body["detail"]
    assert_no_conversion()
    assert trace_of(log) == trace_failing_at("offer_mismatch")


def test_the_clicks_own_offer_id_converts(send_postback, click):
    response = send_postback({"transaction_id": click.transaction_id, "offer_id": click.offer.pk})

    assert response.status_code == 200
    assert Conversion.objects.count() == 1


# --- expired_transaction ---------------------------------------------------------------------------------------


@pytest.fixture
def old_click(offer, affiliate):
    with time_machine.travel(NOW, tick=False):
        return factories.ClickFactory(offer=offer, affiliate=affiliate)


def test_a_postback_one_second_before_the_session_expires_converts(send_postback, old_click):
    assert old_click.expires_at == NOW + timedelta(hours=720)

    with time_machine.travel(old_click.expires_at - timedelta(seconds=1), tick=False):
        response = send_postback({"transaction_id": old_click.transaction_id})

    assert response.status_code == 200
    assert Conversion.objects.count() == 1


def test_a_postback_at_the_instant_the_session_expires_still_converts(send_postback, old_click):
    with time_machine.travel(old_click.expires_at, tick=False):
        response = send_postback({"transaction_id": old_click.transaction_id})

    assert response.status_code == 200


def test_a_postback_one_second_after_the_session_expired_is_refused_although_no_job_marked_it(send_postback, old_click):
    with time_machine.travel(old_click.expires_at + timedelta(seconds=1), tick=False):
        response = send_postback({"transaction_id": old_click.transaction_id})

    _, log = assert_refused(response, "expired_transaction", 410)
    assert_no_conversion()
    assert trace_of(log) == trace_failing_at("expired_transaction")


def test_the_session_lifespan_is_the_one_fixed_at_click_time(send_postback, old_click):
    Offer.objects.filter(pk=old_click.offer_id).update(session_hours=24 * 366)

    with time_machine.travel(old_click.expires_at + timedelta(seconds=1), tick=False):
        response = send_postback({"transaction_id": old_click.transaction_id})

    assert_refused(response, "expired_transaction", 410)


def test_a_28_day_session_expires_after_672_hours(send_postback, affiliate):
    offer = factories.OfferFactory(session_hours=672)
    with time_machine.travel(NOW, tick=False):
        click = factories.ClickFactory(offer=offer, affiliate=affiliate)

    with time_machine.travel(NOW + timedelta(hours=672, seconds=1), tick=False):
        response = send_postback({"transaction_id": click.transaction_id})

    assert_refused(response, "expired_transaction", 410)


# --- offer_inactive --------------------------------------------------------------------------------------------


def test_a_postback_on_an_archived_offer_is_refused_as_offer_inactive(send_postback, click):
    Offer.objects.filter(pk=click.offer_id).update(status=Offer.Status.ARCHIVED)

    response = send_postback({"transaction_id": click.transaction_id})

    _, log = assert_refused(response, "offer_inactive", 409)
    assert_no_conversion()
    assert trace_of(log) == trace_failing_at("offer_inactive")


def test_a_paused_offer_still_converts_its_existing_clicks(send_postback, click):
    Offer.objects.filter(pk=click.offer_id).update(status=Offer.Status.PAUSED)

    response = send_postback({"transaction_id": click.transaction_id})

    assert response.status_code == 200
    assert Conversion.objects.get().status == Conversion.Status.APPROVED


# --- affiliate_not_allowed -------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Affiliate.Status.SUSPENDED, Affiliate.Status.PENDING])
def test_a_postback_for_an_affiliate_who_is_not_active_is_refused(send_postback, click, status):
    Affiliate.objects.filter(pk=click.affiliate_id).update(status=status)

    response = send_postback({"transaction_id": click.transaction_id})

    _, log = assert_refused(response, "affiliate_not_allowed", 403)
    assert_no_conversion()
    assert trace_of(log) == trace_failing_at("affiliate_not_allowed")


def test_a_partner_id_postback_on_an_approval_required_offer_without_access_is_refused(send_postback, affiliate):
    offer = factories.OfferFactory(visibility=Offer.Visibility.APPROVAL_REQUIRED)

    response = send_postback({"offer_id": offer.pk, "aff_id": affiliate.pk})

    _, log = assert_refused(response, "affiliate_not_allowed", 403)
    assert_no_conversion()
    assert trace_of(log) == trace_failing_at("affiliate_not_allowed")


@pytest.mark.parametrize(
    "visibility, access_status",
    [
        (Offer.Visibility.APPROVAL_REQUIRED, OfferAccess.Status.PENDING),
        (Offer.Visibility.APPROVAL_REQUIRED, OfferAccess.Status.REJECTED),
        (Offer.Visibility.PRIVATE, OfferAccess.Status.PENDING),
        (Offer.Visibility.PUBLIC, OfferAccess.Status.BLOCKED),
    ],
)
def test_a_partner_id_postback_without_approved_access_is_refused(send_postback, affiliate, visibility, access_status):
    offer = factories.OfferFactory(visibility=visibility)
    factories.OfferAccessFactory(offer=offer, affiliate=affiliate, status=access_status)

    response = send_postback({"offer_id": offer.pk, "aff_id": affiliate.pk})

    assert_refused(response, "affiliate_not_allowed", 403)
    assert_no_conversion()


def test_a_partner_id_postback_for_a_suspended_affiliate_on_a_public_offer_is_refused(send_postback, offer):
    suspended = factories.AffiliateFactory(status=Affiliate.Status.SUSPENDED)

    response = send_postback({"offer_id": offer.pk, "aff_id": suspended.pk})

    assert_refused(response, "affiliate_not_allowed", 403)


# --- duplicate -------------------------------------------------------------------------------------------------


def test_a_second_postback_for_the_same_transaction_makes_no_second_conversion(send_postback, click):
    first = send_postback({"transaction_id": click.transaction_id, "amount": "10"})
    second = send_postback({"transaction_id": click.transaction_id, "amount": "10"})

    assert first.status_code == 200
    conversion = Conversion.objects.get()
    body, log = assert_refused(second, "duplicate", 409)
    assert body["conversion_id"] == conversion.pk == first.json()["conversion_id"]
    assert log.conversion == conversion
    assert trace_of(log) == trace_failing_at("duplicate")
    assert PostbackLog.objects.count() == 2


def test_the_same_conversion_unique_id_never_converts_twice_on_an_offer(send_postback, affiliate):
    offer = factories.OfferFactory(allow_multiple_conversions=True)
    first_click, second_click = factories.ClickFactory.create_batch(2, offer=offer, affiliate=affiliate)

    first = send_postback({"transaction_id": first_click.transaction_id, "conversion_unique_id": "order-77"})
    again = send_postback({"transaction_id": first_click.transaction_id, "conversion_unique_id": "order-77"})
    other_click = send_postback({"transaction_id": second_click.transaction_id, "conversion_unique_id": "order-77"})

    assert first.status_code == 200
    conversion = Conversion.objects.get()
    for response in (again, other_click):
        assert response.status_code == 409
        assert response.json()["reason"] == "duplicate"
        assert response.json()["conversion_id"] == conversion.pk


def test_the_same_conversion_unique_id_never_converts_twice_over_the_partner_id_protocol(send_postback, offer):
    affiliate = factories.AffiliateFactory()
    params = {"offer_id": offer.pk, "aff_id": affiliate.pk, "conversion_unique_id": "sub-2025-03"}

    first = send_postback(params)
    second = send_postback(params)

    assert first.status_code == 200
    assert_refused(second, "duplicate", 409)
    assert Conversion.objects.count() == 1


def test_a_different_conversion_unique_id_does_not_convert_the_same_transaction_again(send_postback, click):
    first = send_postback({"transaction_id": click.transaction_id, "conversion_unique_id": "renewal-1"})
    second = send_postback({"transaction_id": click.transaction_id, "conversion_unique_id": "renewal-2"})

    assert first.status_code == 200
    conversion = Conversion.objects.get()
    body, _ = assert_refused(second, "duplicate", 409)
    assert body["conversion_id"] == conversion.pk
    assert conversion.conversion_unique_id == "renewal-1"


def test_many_new_conversion_unique_ids_make_one_conversion_per_transaction_and_goal(send_postback, click):
    goal = factories.GoalFactory(offer=click.offer, allow_multiple_conversions=False)

    responses = [
        send_postback({"transaction_id": click.transaction_id, "conversion_unique_id": f"order-{n}", **goal_param})
        for goal_param in ({}, {"goal_id": goal.pk})
        for n in range(5)
    ]

    assert [r.status_code for r in responses] == [200, 409, 409, 409, 409] * 2
    assert Conversion.objects.filter(goal=None).count() == 1
    assert Conversion.objects.filter(goal=goal).count() == 1


def test_with_one_conversion_per_transaction_the_unique_id_does_not_deduplicate_across_clicks(send_postback, affiliate):
    offer = factories.OfferFactory(allow_multiple_conversions=False)
    clicks = factories.ClickFactory.create_batch(2, offer=offer, affiliate=affiliate)

    responses = [send_postback({"transaction_id": c.transaction_id, "conversion_unique_id": "order-9"}) for c in clicks]

    assert [r.status_code for r in responses] == [200, 200]
    assert Conversion.objects.count() == 2


def test_a_different_conversion_unique_id_converts_the_same_transaction_again_when_multiples_are_on(
    send_postback, affiliate
):
    click = factories.ClickFactory(offer__allow_multiple_conversions=True, affiliate=affiliate)

    first = send_postback({"transaction_id": click.transaction_id, "conversion_unique_id": "renewal-1"})
    second = send_postback({"transaction_id": click.transaction_id, "conversion_unique_id": "renewal-2"})

    assert first.status_code == second.status_code == 200
    assert sorted(Conversion.objects.values_list("conversion_unique_id", flat=True)) == ["renewal-1", "renewal-2"]


def test_the_same_conversion_unique_id_on_two_offers_converts_on_both(send_postback, affiliate):
    clicks = [factories.ClickFactory(affiliate=affiliate) for _ in range(2)]

    responses = [send_postback({"transaction_id": c.transaction_id, "conversion_unique_id": "A-1"}) for c in clicks]

    assert [r.status_code for r in responses] == [200, 200]
    assert Conversion.objects.count() == 2


# --- cap_reached -----------------------------------------------------------------------------------------------


def convert_clicks(send_postback, offer, count):
    return [send_postback({"transaction_id": factories.ClickFactory(offer=offer).transaction_id}) for _ in range(count)]


def test_a_postback_past_the_daily_cap_is_recorded_as_a_rejected_conversion(send_postback):
    offer = factories.OfferFactory(daily_cap=2)
    with time_machine.travel(NOW, tick=False):
        accepted = convert_clicks(send_postback, offer, 2)
        click = factories.ClickFactory(offer=offer)
        response = send_postback({"transaction_id": click.transaction_id})

    assert [r.status_code for r in accepted] == [200, 200]
    body, log = assert_refused(response, "cap_reached", 409)
    rejected = Conversion.objects.get(click=click)
    assert rejected.status == Conversion.Status.REJECTED
    assert rejected.status_reason == "cap_reached"
    assert body["conversion_id"] == rejected.pk
    assert log.conversion == rejected
    assert trace_of(log) == trace_failing_at("cap_reached")
    assert Conversion.objects.filter(status=Conversion.Status.APPROVED).count() == 2


def test_the_daily_cap_starts_afresh_the_next_day(send_postback):
    offer = factories.OfferFactory(daily_cap=1)
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        convert_clicks(send_postback, offer, 1)
    with time_machine.travel(NOW, tick=False):
        (response,) = convert_clicks(send_postback, offer, 1)

    assert response.status_code == 200
    assert Conversion.objects.filter(status=Conversion.Status.APPROVED).count() == 2


def test_the_daily_cap_is_cut_at_midnight_in_the_network_time_zone(send_postback, settings):
    settings.TALLY_NETWORK_TIME_ZONE = "America/New_York"
    offer = factories.OfferFactory(daily_cap=1)
    # 03:00 UTC is 22:00 the day before in New York; 05:00 UTC is 00:00 there (EST, UTC-5).
    with time_machine.travel(datetime(2025, 3, 5, 3, 0, tzinfo=UTC), tick=False):
        convert_clicks(send_postback, offer, 1)
    with time_machine.travel(datetime(2025, 3, 5, 4, 59, tzinfo=UTC), tick=False):
        (same_night,) = convert_clicks(send_postback, offer, 1)
    with time_machine.travel(datetime(2025, 3, 5, 5, 0, tzinfo=UTC), tick=False):
        (next_day,) = convert_clicks(send_postback, offer, 1)

    assert same_night.status_code == 409
    assert same_night.json()["reason"] == "cap_reached"
    assert next_day.status_code == 200


def test_a_postback_past_the_monthly_cap_is_recorded_as_a_rejected_conversion(send_postback):
    offer = factories.OfferFactory(monthly_cap=2)
    with time_machine.travel(NOW - timedelta(days=30), tick=False):  # February: does not count
        convert_clicks(send_postback, offer, 2)
    with time_machine.travel(NOW.replace(day=1, hour=0, minute=0, second=0), tick=False):
        convert_clicks(send_postback, offer, 1)
    with time_machine.travel(NOW - timedelta(days=3), tick=False):
        (last_free,) = convert_clicks(send_postback, offer, 1)
    with time_machine.travel(NOW, tick=False):
        (response,) = convert_clicks(send_postback, offer, 1)

    assert last_free.status_code == 200
    body, _ = assert_refused(response, "cap_reached", 409)
    assert "monthly" in body["detail"]
    assert Conversion.objects.get(pk=body["conversion_id"]).status_reason == "cap_reached"
    assert Conversion.objects.filter(status=Conversion.Status.APPROVED).count() == 4


def test_pending_conversions_count_toward_the_cap_and_rejected_ones_do_not(send_postback):
    offer = factories.OfferFactory(daily_cap=2, conversion_approval=Offer.Approval.MANUAL)
    with time_machine.travel(NOW, tick=False):
        factories.ConversionFactory(click=factories.ClickFactory(offer=offer), status=Conversion.Status.REJECTED)
        pending = convert_clicks(send_postback, offer, 2)
        (over,) = convert_clicks(send_postback, offer, 1)

    assert [r.json()["status"] for r in pending] == ["pending", "pending"]
    assert over.json()["reason"] == "cap_reached"


# --- the order of the rules ------------------------------------------------------------------------------------


def test_missing_parameter_is_decided_before_invalid_parameter(send_postback):
    response = send_postback({"amount": "-5", "adv_sub": "x" * 5000})

    _, log = assert_refused(response, "missing_parameter", 400)
    assert trace_of(log) == trace_failing_at("missing_parameter")


def test_a_missing_goal_id_on_aff_goal_is_decided_before_an_invalid_transaction_id(client):
    response = client.get("/aff_goal", {"a": "lsr", "transaction_id": "x" * 100})

    assert response.status_code == 400
    assert response.content == b"success=false; err_msg=missing_parameter;"
    assert only_log().reason == "missing_parameter"


def test_invalid_parameter_is_decided_before_unknown_transaction(send_postback):
    response = send_postback({"transaction_id": "no-such-click", "amount": "-1"})

    _, log = assert_refused(response, "invalid_parameter", 400)
    assert trace_of(log) == trace_failing_at("invalid_parameter")


def test_unknown_transaction_is_decided_before_the_credentials(send_postback):
    response = send_postback({"transaction_id": "no-such-click"}, signature="t=1,v1=00", remote_addr="6.6.6.6")

    assert_refused(response, "unknown_transaction", 404)


def test_invalid_token_is_decided_before_invalid_signature_and_ip_not_allowed(send_postback):
    advertiser = factories.AdvertiserFactory(
        security_token="tok", require_signature=True, signing_secret="sig", postback_ip_allowlist=["192.0.2.99"]
    )
    click = factories.ClickFactory(offer=factories.OfferFactory(advertiser=advertiser))

    response = send_postback({"transaction_id": click.transaction_id, "security_token": "nope"})

    _, log = assert_refused(response, "invalid_token", 403)
    assert trace_of(log) == trace_failing_at("invalid_token")


def test_invalid_signature_is_decided_before_ip_not_allowed(send_postback):
    advertiser = factories.AdvertiserFactory(
        require_signature=True, signing_secret="sig", postback_ip_allowlist=["192.0.2.99"]
    )
    click = factories.ClickFactory(offer=factories.OfferFactory(advertiser=advertiser))

    response = send_postback({"transaction_id": click.transaction_id})

    _, log = assert_refused(response, "invalid_signature", 403)
    assert trace_of(log) == trace_failing_at("invalid_signature")


def test_ip_not_allowed_is_decided_before_offer_mismatch(send_postback):
    click = click_with_allowlist(["192.0.2.99"])

    response = send_postback({"transaction_id": click.transaction_id, "offer_id": factories.OfferFactory().pk})

    _, log = assert_refused(response, "ip_not_allowed", 403)
    assert trace_of(log) == trace_failing_at("ip_not_allowed")


def test_offer_mismatch_is_decided_before_expired_transaction(send_postback, old_click):
    with time_machine.travel(old_click.expires_at + timedelta(days=1), tick=False):
        response = send_postback({"transaction_id": old_click.transaction_id, "offer_id": factories.OfferFactory().pk})

    _, log = assert_refused(response, "offer_mismatch", 409)
    assert trace_of(log) == trace_failing_at("offer_mismatch")


def test_expired_transaction_is_decided_before_offer_inactive(send_postback, old_click):
    Offer.objects.filter(pk=old_click.offer_id).update(status=Offer.Status.ARCHIVED)

    with time_machine.travel(old_click.expires_at + timedelta(days=1), tick=False):
        response = send_postback({"transaction_id": old_click.transaction_id})

    _, log = assert_refused(response, "expired_transaction", 410)
    assert trace_of(log) == trace_failing_at("expired_transaction")


def test_offer_inactive_is_decided_before_affiliate_not_allowed(send_postback, click):
    Offer.objects.filter(pk=click.offer_id).update(status=Offer.Status.ARCHIVED)
    Affiliate.objects.filter(pk=click.affiliate_id).update(status=Affiliate.Status.SUSPENDED)

    response = send_postback({"transaction_id": click.transaction_id})

    _, log = assert_refused(response, "offer_inactive", 409)
    assert trace_of(log) == trace_failing_at("offer_inactive")


def test_affiliate_not_allowed_is_decided_before_duplicate(send_postback, click):
    assert send_postback({"transaction_id": click.transaction_id}).status_code == 200
    Affiliate.objects.filter(pk=click.affiliate_id).update(status=Affiliate.Status.SUSPENDED)

    response = send_postback({"transaction_id": click.transaction_id})

    _, log = assert_refused(response, "affiliate_not_allowed", 403)
    assert trace_of(log) == trace_failing_at("affiliate_not_allowed")


def test_duplicate_is_decided_before_cap_reached(send_postback, affiliate):
    offer = factories.OfferFactory(daily_cap=1)
    click = factories.ClickFactory(offer=offer, affiliate=affiliate)
    first = send_postback({"transaction_id": click.transaction_id})

    response = send_postback({"transaction_id": click.transaction_id})

    assert first.status_code == 200
    _, log = assert_refused(response, "duplicate", 409)
    assert trace_of(log) == trace_failing_at("duplicate")
    assert Conversion.objects.get().status == Conversion.Status.APPROVED


def test_an_accepted_postback_has_every_rule_in_its_trace_in_order_all_passed(send_postback, click):
    response = send_postback({"transaction_id": click.transaction_id, "amount": Decimal("10")})

    assert response.status_code == 200
    log = only_log()
    assert trace_of(log) == TRACE_ALL_PASSED
    assert all(set(step) == {"rule", "ok", "detail"} for step in log.trace)
