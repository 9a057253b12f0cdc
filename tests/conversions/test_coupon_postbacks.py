"""Coupon-code postbacks (docs/postbacks.md#coupon-codes): a code a manager gave an affiliate on an offer converts for
that affiliate, with no click; unknown and out-of-date codes have their own reason codes."""

from collections import Counter
from datetime import date, timedelta

import pytest
import time_machine

from conversions.models import Conversion
from conversions.reasons import Reason
from offers.models import Offer
from tests import factories
from tests.conversions.conftest import RULES, TRACE_ALL_PASSED, only_log, trace_failing_at, trace_of
from tests.conversions.test_postback_concurrency import fire_together

pytestmark = pytest.mark.django_db


@pytest.fixture
def coupon(offer, affiliate):
    return factories.CouponFactory(offer=offer, affiliate=affiliate, code="Summer-10")


def coupon_params(coupon, code=None, **extra):
    return {"offer_id": coupon.offer_id, "coupon_code": code or coupon.code, "amount": "50.00", **extra}


def test_a_known_code_converts_for_its_affiliate_in_any_case(send_postback, coupon):
    response = send_postback(coupon_params(coupon, code="summer-10"))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "approved" and body["transaction_id"] == ""
    conversion = Conversion.objects.get()
    assert (conversion.affiliate, conversion.offer, conversion.click) == (coupon.affiliate, coupon.offer, None)
    assert conversion.payout == coupon.offer.payout
    assert trace_of(only_log()) == TRACE_ALL_PASSED


def test_the_coupon_decides_the_affiliate_not_an_aff_id_sent_beside_it(send_postback, coupon):
    other = factories.AffiliateFactory()

    send_postback(coupon_params(coupon, aff_id=other.pk))

    assert Conversion.objects.get().affiliate == coupon.affiliate


def test_an_unknown_code_is_refused_as_unknown_coupon_and_nothing_is_recorded(send_postback, coupon):
    response = send_postback(coupon_params(coupon, code="WINTER-10"))

    assert response.status_code == 404
    assert response.json()["reason"] == "unknown_coupon"
    assert "WINTER-10" in response.json()["detail"]
    assert not Conversion.objects.exists()
    log = only_log()
    assert log.reason == Reason.UNKNOWN_COUPON
    assert trace_of(log) == trace_failing_at("unknown_coupon")


def test_a_code_of_another_offer_is_unknown_on_this_one(send_postback, coupon):
    other_offer = factories.OfferFactory(advertiser=coupon.offer.advertiser)

    response = send_postback({"offer_id": other_offer.pk, "coupon_code": coupon.code})

    assert response.json()["reason"] == "unknown_coupon"


def test_an_unknown_offer_reads_like_an_unknown_code(send_postback, coupon):
    response = send_postback({"offer_id": 999999, "coupon_code": coupon.code})

    assert response.status_code == 404 and response.json()["reason"] == "unknown_coupon"


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "converts"),
    [
        (date(2026, 3, 1), date(2026, 3, 31), True),
        (date(2026, 3, 10), None, True),  # the first day counts
        (None, date(2026, 3, 10), True),  # the last day counts
        (None, date(2026, 3, 9), False),  # expired yesterday
        (date(2026, 3, 11), None, False),  # not valid yet
    ],
)
def test_a_code_converts_only_within_its_dates(send_postback, coupon, valid_from, valid_until, converts):
    coupon.valid_from, coupon.valid_until = valid_from, valid_until
    coupon.save()

    with time_machine.travel("2026-03-10 12:00:00+00:00", tick=False):
        response = send_postback(coupon_params(coupon))

    if converts:
        assert response.status_code == 200, response.content
        assert Conversion.objects.count() == 1
    else:
        assert response.status_code == 410
        assert response.json()["reason"] == "coupon_expired"
        assert not Conversion.objects.exists()
        assert trace_of(only_log()) == trace_failing_at("coupon_expired")


def test_the_same_unique_id_converts_once(send_postback, coupon):
    first = send_postback(coupon_params(coupon, conversion_unique_id="INV-1"))
    second = send_postback(coupon_params(coupon, conversion_unique_id="INV-1"))
    third = send_postback(coupon_params(coupon, conversion_unique_id="INV-2"))

    assert first.status_code == 200 and third.status_code == 200
    assert second.status_code == 409 and second.json()["reason"] == "duplicate"
    assert second.json()["conversion_id"] == first.json()["conversion_id"]
    assert Conversion.objects.count() == 2


def test_a_coupon_postback_needs_the_security_token_like_a_partner_id_one(send_postback, coupon):
    coupon.offer.advertiser.token_required = False
    coupon.offer.advertiser.save()

    response = send_postback(coupon_params(coupon), token=None)

    assert response.status_code == 403 and response.json()["reason"] == "invalid_token"
    assert not Conversion.objects.exists()


def test_an_affiliate_that_may_not_run_the_offer_is_refused(send_postback, coupon):
    coupon.offer.visibility = Offer.Visibility.PRIVATE
    coupon.offer.save()

    response = send_postback(coupon_params(coupon))

    assert response.status_code == 403 and response.json()["reason"] == "affiliate_not_allowed"


def test_a_code_without_an_offer_id_is_a_missing_parameter(send_postback, coupon):
    response = send_postback({"coupon_code": coupon.code})

    assert response.status_code == 400 and response.json()["reason"] == "missing_parameter"


def test_a_transaction_id_wins_over_a_coupon_code(send_postback, coupon, click):
    response = send_postback({"transaction_id": click.transaction_id, "coupon_code": "NOPE"})

    assert response.status_code == 200
    assert Conversion.objects.get().click == click
    step = next(s for s in only_log().trace if s["rule"] == "unknown_coupon")
    assert step["ok"] and step["detail"] == "no coupon_code sent"


def test_the_trace_names_every_rule_with_the_coupon_rules_in_place(send_postback, coupon):
    send_postback(coupon_params(coupon))

    trace = only_log().trace
    assert [step["rule"] for step in trace] == RULES
    assert RULES.index("unknown_coupon") == RULES.index("unknown_transaction") + 1
    assert RULES.index("coupon_expired") == RULES.index("expired_transaction") + 1


def test_a_test_postback_with_a_code_records_nothing(send_postback, coupon):
    response = send_postback(coupon_params(coupon, test=1))

    assert response.status_code == 200 and response.json()["conversion_id"] is None
    assert not Conversion.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_identical_coupon_postbacks_at_once_make_one_conversion(coupon):
    """Exactly once under concurrency: the database's (offer, conversion_unique_id) constraint decides."""
    answers = fire_together([coupon_params(coupon, conversion_unique_id="RACE-1")] * 50)

    assert Counter(status for status, _ in answers) == {200: 1, 409: 49}
    assert Conversion.objects.get().affiliate == coupon.affiliate


def test_dates_out_of_order_are_refused_by_the_database(coupon):
    from django.db import IntegrityError, transaction

    coupon.valid_from, coupon.valid_until = date(2026, 3, 10), date(2026, 3, 10) - timedelta(days=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        coupon.save()
