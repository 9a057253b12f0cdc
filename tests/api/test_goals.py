"""/api/v1/goals/: goals of the offers one may see; managers create and change them."""

from decimal import Decimal

import pytest

from offers.models import Goal
from tests.api.helpers import ids

URL = "/api/v1/goals/"


def test_a_manager_sees_every_goal_with_payout_and_revenue(api, network):
    response = api("manager").get(URL)
    assert ids(response) == {network.goal.pk}
    row = response.json()["results"][0]
    assert {k: row[k] for k in ("offer", "name", "payout", "revenue", "allow_multiple_conversions")} == {
        "offer": network.public.pk,
        "name": "deposit",
        "payout": "2.00",
        "revenue": "3.00",
        "allow_multiple_conversions": False,
    }


def test_an_affiliate_sees_goals_of_its_offers_without_revenue(api, network):
    row = api("affiliate_a").get(URL).json()["results"][0]
    assert "revenue" not in row
    assert "revenue_type" not in row
    assert row["payout"] == "2.00"


def test_an_advertiser_sees_goals_of_its_offers_without_payout(api, network):
    row = api("advertiser").get(URL).json()["results"][0]
    assert "payout" not in row
    assert "payout_type" not in row
    assert row["revenue"] == "3.00"


def test_a_goal_of_an_offer_out_of_scope_is_not_found(api, network):
    other_goal = Goal.objects.create(offer=network.other, name="signup")
    assert api("advertiser").get(f"{URL}{other_goal.pk}/").status_code == 404
    assert ids(api("advertiser").get(URL)) == {network.goal.pk}
    hidden_goal = Goal.objects.create(offer=network.private, name="vip")
    assert api("affiliate_b").get(f"{URL}{hidden_goal.pk}/").status_code == 404
    assert api("affiliate_a").get(f"{URL}{hidden_goal.pk}/").status_code == 200


def test_anonymous_callers_are_refused(api, network):
    assert api("anonymous").get(URL).status_code == 401


def test_a_manager_creates_a_goal(api, network):
    payload = {"offer": network.gated.pk, "name": "install", "payout": "1.50", "revenue": "2.00"}
    response = api("manager").post(URL, payload, format="json")
    assert response.status_code == 201, response.content
    goal = Goal.objects.get(pk=response.json()["id"])
    assert (goal.offer, goal.name, goal.payout) == (network.gated, "install", Decimal("1.50"))


def test_two_goals_of_one_offer_cannot_share_a_name(api, network):
    response = api("manager").post(URL, {"offer": network.public.pk, "name": "deposit"}, format="json")
    assert response.status_code == 400
    assert Goal.objects.filter(offer=network.public).count() == 1


def test_a_goal_stays_with_its_offer(api, network):
    response = api("manager").patch(f"{URL}{network.goal.pk}/", {"offer": network.gated.pk}, format="json")
    assert response.status_code == 400
    network.goal.refresh_from_db()
    assert network.goal.offer == network.public


def test_a_manager_changes_a_goal_payout(api, network):
    response = api("manager").patch(f"{URL}{network.goal.pk}/", {"payout": "2.75"}, format="json")
    assert response.status_code == 200
    network.goal.refresh_from_db()
    assert network.goal.payout == Decimal("2.75")


@pytest.mark.parametrize("role", ["affiliate_a", "advertiser"])
def test_only_managers_write_goals(api, network, role):
    assert api(role).post(URL, {"offer": network.public.pk, "name": "x"}, format="json").status_code == 403


def test_goals_filter_by_offer(api, network):
    Goal.objects.create(offer=network.gated, name="install")
    assert ids(api("manager").get(URL, {"offer": network.public.pk})) == {network.goal.pk}
