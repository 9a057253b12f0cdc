"""What a conversion earns and costs (docs/postbacks.md#payout-and-revenue): flat and percent payouts, overrides, goals,
and how many conversions one click may make."""

from decimal import Decimal

import pytest

from conversions.models import Conversion
from offers.models import Offer, PayoutType
from tests import factories

pytestmark = pytest.mark.django_db


def convert(send_postback, click, **params):
    response = send_postback({"transaction_id": click.transaction_id, **params})
    assert response.status_code == 200, response.content
    return Conversion.objects.get(pk=response.json()["conversion_id"])


# --- payout and revenue ----------------------------------------------------------------------------------------


def test_a_cpa_flat_offer_pays_its_flat_amounts_whatever_the_sale(send_postback, affiliate):
    offer = factories.OfferFactory(payout=Decimal("4.20"), revenue=Decimal("6.90"))
    click = factories.ClickFactory(offer=offer, affiliate=affiliate)

    conversion = convert(send_postback, click, amount="1234.56")

    assert conversion.amount == Decimal("1234.56")
    assert conversion.payout == Decimal("4.20")
    assert conversion.revenue == Decimal("6.90")


def test_a_cps_percent_offer_pays_a_percentage_of_the_sale_rounded_half_up_to_the_cent(send_postback, affiliate):
    offer = factories.OfferFactory(
        payout_type=PayoutType.CPS_PERCENT,
        payout=Decimal("10"),
        revenue_type=PayoutType.CPS_PERCENT,
        revenue=Decimal("15"),
    )
    click = factories.ClickFactory(offer=offer, affiliate=affiliate)

    conversion = convert(send_postback, click, amount="123.45")

    # 10 % of 123.45 is 12.345 and 15 % is 18.5175: money is rounded half up to the cent, never through a float.
    assert conversion.payout == Decimal("12.35")
    assert conversion.revenue == Decimal("18.52")
    conversion.refresh_from_db()
    assert (conversion.payout, conversion.revenue) == (Decimal("12.35"), Decimal("18.52"))
    assert isinstance(conversion.payout, Decimal)


@pytest.mark.parametrize(
    "rate, amount, expected",
    [
        ("10", "0.05", "0.01"),  # 0.005 rounds up
        ("10", "0.04", "0.00"),
        ("33.33", "100", "33.33"),
        ("2.5", "19.99", "0.50"),  # 0.49975
        ("100", "999999999999.99", "999999999999.99"),
        ("7", "", "0.00"),  # no amount, no commission
    ],
)
def test_percent_payouts_are_exact_to_the_cent(send_postback, affiliate, rate, amount, expected):
    offer = factories.OfferFactory(payout_type=PayoutType.CPS_PERCENT, payout=Decimal(rate))
    click = factories.ClickFactory(offer=offer, affiliate=affiliate)

    conversion = convert(send_postback, click, amount=amount)

    assert conversion.payout == Decimal(expected)


def test_a_flat_payout_can_go_with_a_percent_revenue(send_postback, affiliate):
    offer = factories.OfferFactory(payout=Decimal("3.00"), revenue_type=PayoutType.CPS_PERCENT, revenue=Decimal("12.5"))
    click = factories.ClickFactory(offer=offer, affiliate=affiliate)

    conversion = convert(send_postback, click, amount="80")

    assert (conversion.payout, conversion.revenue) == (Decimal("3.00"), Decimal("10.00"))


def test_a_sale_amount_with_more_than_two_decimals_is_stored_rounded_to_the_cent(send_postback, affiliate):
    offer = factories.OfferFactory(payout_type=PayoutType.CPS_PERCENT, payout=Decimal("100"))
    click = factories.ClickFactory(offer=offer, affiliate=affiliate)

    conversion = convert(send_postback, click, amount="12.345")

    conversion.refresh_from_db()
    assert conversion.amount == Decimal("12.35")
    assert conversion.payout == Decimal("12.35")


@pytest.mark.parametrize(
    "amount, stored",
    [("1E+2", "100.00"), ("0.005", "0.01"), (" 7 ", "7.00"), ("0", "0.00"), ("999999999999.99", "999999999999.99")],
)
def test_a_sale_amount_in_any_decimal_spelling_is_stored_to_the_cent(send_postback, click, amount, stored):
    conversion = convert(send_postback, click, amount=amount)

    conversion.refresh_from_db()
    assert conversion.amount == Decimal(stored)


def test_the_conversion_takes_the_offers_currency(send_postback, affiliate):
    offer = factories.OfferFactory(currency="EUR")
    click = factories.ClickFactory(offer=offer, affiliate=affiliate)

    conversion = convert(send_postback, click, currency="eur")

    assert conversion.currency == "EUR"


def test_an_affiliates_payout_override_replaces_the_offers_payout(send_postback, offer, affiliate):
    factories.OfferAccessFactory(offer=offer, affiliate=affiliate, payout=Decimal("7.50"))
    click = factories.ClickFactory(offer=offer, affiliate=affiliate)

    conversion = convert(send_postback, click, amount="100")

    assert conversion.payout == Decimal("7.50")
    assert conversion.revenue == Decimal("8.00")


def test_a_payout_override_on_a_percent_offer_is_a_percentage(send_postback, affiliate):
    offer = factories.OfferFactory(payout_type=PayoutType.CPS_PERCENT, payout=Decimal("5"))
    factories.OfferAccessFactory(offer=offer, affiliate=affiliate, payout=Decimal("8"))
    click = factories.ClickFactory(offer=offer, affiliate=affiliate)

    conversion = convert(send_postback, click, amount="250")

    assert conversion.payout == Decimal("20.00")


def test_another_affiliates_override_does_not_apply(send_postback, offer, affiliate):
    factories.OfferAccessFactory(offer=offer, payout=Decimal("7.50"))
    click = factories.ClickFactory(offer=offer, affiliate=affiliate)

    conversion = convert(send_postback, click)

    assert conversion.payout == Decimal("5.00")


def test_a_payout_override_applies_to_partner_id_conversions(send_postback, affiliate):
    offer = factories.OfferFactory(visibility=Offer.Visibility.APPROVAL_REQUIRED)
    factories.OfferAccessFactory(offer=offer, affiliate=affiliate, payout=Decimal("1.11"))

    response = send_postback({"offer_id": offer.pk, "aff_id": affiliate.pk})

    assert response.status_code == 200
    assert Conversion.objects.get().payout == Decimal("1.11")


def test_a_goal_conversion_pays_the_goals_payout_and_revenue(send_postback, click):
    goal = factories.GoalFactory(offer=click.offer, payout=Decimal("2.00"), revenue=Decimal("3.00"))

    conversion = convert(send_postback, click, goal_id=goal.pk, amount="500")

    assert conversion.goal == goal
    assert (conversion.payout, conversion.revenue) == (Decimal("2.00"), Decimal("3.00"))


def test_a_percent_goal_pays_a_percentage_of_its_sale(send_postback, click):
    goal = factories.GoalFactory(
        offer=click.offer,
        payout_type=PayoutType.CPS_PERCENT,
        payout=Decimal("12"),
        revenue_type=PayoutType.CPS_PERCENT,
        revenue=Decimal("20"),
    )

    conversion = convert(send_postback, click, goal_id=goal.pk, amount="41.30")

    # 12 % of 41.30 = 4.956, 20 % = 8.26
    assert (conversion.payout, conversion.revenue) == (Decimal("4.96"), Decimal("8.26"))


# --- how many conversions a click makes ------------------------------------------------------------------------


def test_a_goal_conversion_and_the_default_conversion_on_the_same_click_are_both_recorded(send_postback, click):
    goal = factories.GoalFactory(offer=click.offer)

    default = convert(send_postback, click)
    goal_conversion = convert(send_postback, click, goal_id=goal.pk)

    assert default.goal is None
    assert goal_conversion.goal == goal
    assert Conversion.objects.filter(click=click).count() == 2


def test_two_goals_on_the_same_click_are_both_recorded(send_postback, click):
    signup, deposit = factories.GoalFactory.create_batch(2, offer=click.offer)

    convert(send_postback, click, goal_id=signup.pk)
    convert(send_postback, click, goal_id=deposit.pk)

    assert Conversion.objects.filter(click=click).count() == 2


def test_a_goal_converts_once_per_click_unless_it_allows_multiple(send_postback, click):
    goal = factories.GoalFactory(offer=click.offer)
    convert(send_postback, click, goal_id=goal.pk)

    response = send_postback({"transaction_id": click.transaction_id, "goal_id": goal.pk})

    assert response.status_code == 409
    assert response.json()["reason"] == "duplicate"
    assert Conversion.objects.filter(goal=goal).count() == 1


def test_a_goal_that_allows_multiple_conversions_converts_again_on_the_same_click(send_postback, click):
    goal = factories.GoalFactory(offer=click.offer, allow_multiple_conversions=True)

    conversions = [convert(send_postback, click, goal_id=goal.pk, amount="10") for _ in range(3)]

    assert len({c.pk for c in conversions}) == 3
    assert Conversion.objects.filter(click=click, goal=goal).count() == 3


def test_a_goal_that_allows_multiples_does_not_let_the_default_conversion_repeat(send_postback, click):
    goal = factories.GoalFactory(offer=click.offer, allow_multiple_conversions=True)
    convert(send_postback, click, goal_id=goal.pk)
    convert(send_postback, click)

    response = send_postback({"transaction_id": click.transaction_id})

    assert response.json()["reason"] == "duplicate"


def test_an_offer_that_allows_multiple_conversions_converts_the_same_transaction_again(send_postback, affiliate):
    offer = factories.OfferFactory(allow_multiple_conversions=True)
    click = factories.ClickFactory(offer=offer, affiliate=affiliate)

    first = convert(send_postback, click, amount="10", adv_sub="A")
    second = convert(send_postback, click, amount="20", adv_sub="B")

    assert first.pk != second.pk
    assert Conversion.objects.filter(click=click).count() == 2
    assert sorted(Conversion.objects.values_list("adv_sub", flat=True)) == ["A", "B"]


def test_on_a_multiple_conversions_offer_a_conversion_unique_id_still_converts_only_once(send_postback, affiliate):
    offer = factories.OfferFactory(allow_multiple_conversions=True)
    click = factories.ClickFactory(offer=offer, affiliate=affiliate)
    convert(send_postback, click, conversion_unique_id="inv-1")

    response = send_postback({"transaction_id": click.transaction_id, "conversion_unique_id": "inv-1"})

    assert response.json()["reason"] == "duplicate"
    assert Conversion.objects.count() == 1
