"""The offer's conversion rules (docs/postbacks.md#conversion-rules): too_fast and country_mismatch, each with action
reject (a rejected conversion, 409) or review (a pending, flagged one, 200), traced in rule order."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conversions import services as conversion_services
from conversions.models import Conversion, ConversionFlag, PostbackLog
from conversions.reasons import Reason
from offers.models import RuleAction
from tests import factories
from tests.conversions import conftest as postbacks
from tests.conversions.conftest import RULES, TRACE_ALL_PASSED, trace_of

send_postback = postbacks.send_postback  # the fixture: an advertiser's server calling /postback

pytestmark = pytest.mark.django_db

# Addresses whose country the bundled database knows (tests/quality/test_conversion_rules.py pins them).
US_IP = "8.8.8.8"
DE_IP = "195.50.140.1"


def click_on(offer, *, seconds_ago=0, country=""):
    created = timezone.now() - timedelta(seconds=seconds_ago)
    click = factories.ClickFactory(offer=offer, created_at=created, expires_at=created + timedelta(hours=24))
    if country:
        type(click).objects.filter(pk=click.pk).update(country=country)
    return click


def last_log():
    return PostbackLog.objects.order_by("-id").first()


def step(log, rule):
    return next(s for s in log.trace if s["rule"] == rule)


# --- too_fast -------------------------------------------------------------------------------------------------------


def test_too_fast_with_action_reject_keeps_a_rejected_conversion_with_the_reason_and_answers_409(send_postback):
    offer = factories.OfferFactory(too_fast_seconds=60, too_fast_action=RuleAction.REJECT)
    click = click_on(offer, seconds_ago=5)

    response = send_postback({"transaction_id": click.transaction_id, "amount": "10"})

    assert response.status_code == 409, response.content
    body = response.json()
    conversion = Conversion.objects.get()
    assert body == {
        "status": "rejected",
        "reason": "too_fast",
        "detail": body["detail"],
        "conversion_id": conversion.pk,
    }
    assert body["detail"].startswith("reject: converted ")
    assert "minimum is 60 s" in body["detail"]
    assert conversion.status == Conversion.Status.REJECTED
    assert conversion.status_reason == "too_fast"
    assert 5 <= conversion.seconds_to_convert < 60
    assert list(conversion.flags.values_list("code", flat=True)) == ["too_fast"]
    log = last_log()
    assert (log.verdict, log.reason, log.http_status, log.conversion) == ("rejected", "too_fast", 409, conversion)
    # The rules after a rejecting one are not checked: the trace ends there.
    index = RULES.index("too_fast")
    assert trace_of(log) == [(name, True) for name in RULES[:index]] + [("too_fast", False)]


def test_too_fast_with_action_review_keeps_a_pending_flagged_conversion_and_answers_200(send_postback):
    offer = factories.OfferFactory(too_fast_seconds=60, too_fast_action=RuleAction.REVIEW)
    click = click_on(offer, seconds_ago=5)

    response = send_postback({"transaction_id": click.transaction_id, "amount": "10"})

    assert response.status_code == 200, response.content
    conversion = Conversion.objects.get()
    assert response.json() == {
        "status": "pending",
        "conversion_id": conversion.pk,
        "transaction_id": click.transaction_id,
    }
    assert conversion.status == Conversion.Status.PENDING
    assert conversion.status_reason == ""
    flag = conversion.flags.get()
    assert flag.code == "too_fast"
    assert "minimum is 60 s" in flag.detail
    log = last_log()
    assert (log.verdict, log.reason, log.http_status) == ("pending", "", 200)
    assert trace_of(log) == [(name, name != "too_fast") for name in RULES]
    assert step(log, "too_fast")["detail"].startswith("review: converted ")


@pytest.mark.parametrize("action", [RuleAction.REJECT, RuleAction.REVIEW])
def test_a_conversion_slower_than_the_minimum_is_approved_unflagged(send_postback, action):
    offer = factories.OfferFactory(too_fast_seconds=60, too_fast_action=action)
    click = click_on(offer, seconds_ago=120)

    response = send_postback({"transaction_id": click.transaction_id})

    assert response.status_code == 200
    conversion = Conversion.objects.get()
    assert conversion.status == Conversion.Status.APPROVED
    assert 120 <= conversion.seconds_to_convert < 180
    assert not ConversionFlag.objects.exists()
    assert trace_of(last_log()) == TRACE_ALL_PASSED


@pytest.mark.parametrize("offer_fields", [{"too_fast_seconds": 0}, {"too_fast_seconds": 60, "too_fast_action": "off"}])
def test_too_fast_is_off_with_no_minimum_or_action_off(send_postback, offer_fields):
    offer = factories.OfferFactory(**offer_fields)
    click = click_on(offer)

    response = send_postback({"transaction_id": click.transaction_id})

    assert response.status_code == 200
    assert Conversion.objects.get().status == Conversion.Status.APPROVED
    assert step(last_log(), "too_fast") == {"rule": "too_fast", "ok": True, "detail": "off"}


def test_a_repeat_of_a_too_fast_postback_is_a_duplicate_not_a_second_flagged_conversion(send_postback):
    offer = factories.OfferFactory(too_fast_seconds=60, too_fast_action=RuleAction.REJECT)
    click = click_on(offer)
    first = send_postback({"transaction_id": click.transaction_id})

    again = send_postback({"transaction_id": click.transaction_id})

    assert again.status_code == 409
    assert again.json()["reason"] == "duplicate"
    assert again.json()["conversion_id"] == first.json()["conversion_id"]
    assert Conversion.objects.count() == 1
    assert ConversionFlag.objects.count() == 1


def test_a_test_postback_reports_too_fast_without_recording_anything(send_postback):
    offer = factories.OfferFactory(too_fast_seconds=60, too_fast_action=RuleAction.REJECT)
    click = click_on(offer)

    response = send_postback({"transaction_id": click.transaction_id, "test": "1"})

    assert response.status_code == 409
    assert response.json()["reason"] == "too_fast"
    assert not Conversion.objects.exists()
    assert last_log().is_test


def test_a_partner_id_postback_passes_the_conversion_rules_for_want_of_a_click(send_postback, affiliate):
    offer = factories.OfferFactory(
        too_fast_seconds=600,
        too_fast_action=RuleAction.REJECT,
        country_mismatch_action=RuleAction.REJECT,
    )

    response = send_postback({"offer_id": offer.pk, "aff_id": affiliate.pk, "ip": DE_IP})

    assert response.status_code == 200, response.content
    conversion = Conversion.objects.get()
    assert conversion.seconds_to_convert is None
    assert conversion.country == "DE"
    assert step(last_log(), "too_fast") == {
        "rule": "too_fast",
        "ok": True,
        "detail": "no click (partner ID or coupon code)",
    }


# --- country_mismatch -----------------------------------------------------------------------------------------------


def test_country_mismatch_with_action_reject_keeps_a_rejected_conversion_and_answers_409(send_postback):
    offer = factories.OfferFactory(country_mismatch_action=RuleAction.REJECT)
    click = click_on(offer, country="US")

    response = send_postback({"transaction_id": click.transaction_id, "ip": DE_IP})

    assert response.status_code == 409, response.content
    body = response.json()
    assert body["reason"] == "country_mismatch"
    assert body["detail"] == "reject: the shopper is in DE, the click came from US"
    conversion = Conversion.objects.get(pk=body["conversion_id"])
    assert (conversion.status, conversion.status_reason, conversion.country) == ("rejected", "country_mismatch", "DE")
    assert list(conversion.flags.values_list("code", flat=True)) == ["country_mismatch"]
    index = RULES.index("country_mismatch")
    assert trace_of(last_log()) == [(name, True) for name in RULES[:index]] + [("country_mismatch", False)]


def test_country_mismatch_with_action_review_keeps_a_pending_flagged_conversion_and_answers_200(send_postback):
    offer = factories.OfferFactory(country_mismatch_action=RuleAction.REVIEW)
    click = click_on(offer, country="US")

    response = send_postback({"transaction_id": click.transaction_id, "ip": DE_IP})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "pending"
    conversion = Conversion.objects.get()
    assert conversion.status == Conversion.Status.PENDING
    assert conversion.flags.get().code == "country_mismatch"
    assert trace_of(last_log()) == [(name, name != "country_mismatch") for name in RULES]


@pytest.mark.parametrize(
    ("click_country", "params", "detail"),
    [
        ("US", {"ip": US_IP}, "the shopper is in US, the click came from US"),
        ("US", {}, "no ip sent: not checked"),
        ("", {"ip": DE_IP}, "country unknown: not checked"),  # a click from before countries were looked up
        ("US", {"ip": "10.1.2.3"}, "country unknown: not checked"),  # a private address has no country
    ],
)
def test_country_mismatch_passes_when_the_countries_agree_or_one_is_unknown(
    send_postback, click_country, params, detail
):
    offer = factories.OfferFactory(country_mismatch_action=RuleAction.REJECT)
    click = click_on(offer, country=click_country)

    response = send_postback({"transaction_id": click.transaction_id, **params})

    assert response.status_code == 200, response.content
    assert Conversion.objects.get().status == Conversion.Status.APPROVED
    assert step(last_log(), "country_mismatch") == {"rule": "country_mismatch", "ok": True, "detail": detail}


def test_country_mismatch_is_off_by_default(send_postback):
    click = click_on(factories.OfferFactory(), country="US")

    response = send_postback({"transaction_id": click.transaction_id, "ip": DE_IP})

    assert response.status_code == 200
    assert Conversion.objects.get().country == "DE"
    assert step(last_log(), "country_mismatch")["detail"] == "off"


def test_a_malformed_ip_is_invalid_parameter_and_records_nothing(send_postback, click):
    response = send_postback({"transaction_id": click.transaction_id, "ip": "999.1.1.1"})

    assert response.status_code == 400
    assert response.json()["reason"] == "invalid_parameter"
    assert "ip must be" in response.json()["detail"]
    assert not Conversion.objects.exists()


# --- both rules, and the manager's decision -------------------------------------------------------------------------


def test_two_review_rules_leave_both_flags_and_a_reject_after_a_review_decides(send_postback):
    offer = factories.OfferFactory(
        too_fast_seconds=60, too_fast_action=RuleAction.REVIEW, country_mismatch_action=RuleAction.REJECT
    )
    click = click_on(offer, country="US")

    response = send_postback({"transaction_id": click.transaction_id, "ip": DE_IP})

    assert response.status_code == 409
    assert response.json()["reason"] == "country_mismatch"
    conversion = Conversion.objects.get()
    assert conversion.status_reason == "country_mismatch"
    assert sorted(conversion.flags.values_list("code", flat=True)) == ["country_mismatch", "too_fast"]


def test_a_flagged_conversion_counts_towards_the_cap_and_a_rejected_one_does_not(send_postback):
    offer = factories.OfferFactory(daily_cap=1, too_fast_seconds=60, too_fast_action=RuleAction.REJECT)
    send_postback({"transaction_id": click_on(offer).transaction_id})  # too fast: rejected, not counted

    response = send_postback({"transaction_id": click_on(offer, seconds_ago=120).transaction_id})

    assert response.status_code == 200
    assert response.json()["status"] == "approved"


@pytest.mark.parametrize(
    ("action", "new_status"),
    [
        (RuleAction.REVIEW, Conversion.Status.APPROVED),
        (RuleAction.REVIEW, Conversion.Status.REJECTED),
        (RuleAction.REJECT, Conversion.Status.APPROVED),
    ],
)
def test_a_manager_overturns_a_flagged_conversion_and_the_flag_stays(send_postback, manager, action, new_status):
    offer = factories.OfferFactory(too_fast_seconds=60, too_fast_action=action)
    send_postback({"transaction_id": click_on(offer).transaction_id})
    conversion = Conversion.objects.get()

    conversion_services.conversion_set_status(conversion=conversion, status=new_status, user=manager)

    conversion.refresh_from_db()
    assert conversion.status == new_status
    assert conversion.flags.get().code == Reason.TOO_FAST
    assert conversion.status_changes.get().changed_by == manager
