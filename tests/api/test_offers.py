"""/api/v1/offers/: scoped like the portal; affiliates never see revenue, advertisers never see payout."""

from decimal import Decimal

import pytest

from offers.models import Offer
from tests.api.helpers import ids

URL = "/api/v1/offers/"
FIELDS = {
    "id",
    "name",
    "description",
    "advertiser",
    "status",
    "destination_url",
    "fallback_url",
    "visibility",
    "payout_type",
    "payout",
    "revenue_type",
    "revenue",
    "currency",
    "session_hours",
    "allow_multiple_conversions",
    "conversion_approval",
    "daily_cap",
    "monthly_cap",
    "too_fast_seconds",
    "too_fast_action",
    "country_mismatch_action",
    # Targeting (README, Traffic quality): everyone who sees the offer sees where it runs.
    "allowed_countries",
    "blocked_countries",
    "allowed_devices",
    "allowed_os",
    # The catalogue (README, Offer catalogue): its category and tags, and when it was published.
    "category",
    "tags",
    "created_at",
}
# The conversion rules (docs/postbacks.md#conversion-rules): the network's, never an affiliate's to read.
RULE_FIELDS = {"too_fast_seconds", "too_fast_action", "country_mismatch_action"}


def test_a_manager_sees_every_offer_with_every_field(api, network):
    response = api("manager").get(URL)
    assert ids(response) == {network.public.pk, network.gated.pk, network.private.pk, network.other.pk}
    row = next(r for r in response.json()["results"] if r["id"] == network.public.pk)
    assert set(row) == FIELDS
    assert row["payout"] == "5.00"
    assert row["revenue"] == "8.00"
    assert row["visibility"] == "public"
    assert row["payout_type"] == "cpa_flat"


def test_an_advertiser_sees_its_own_offers_without_payout(api, network):
    response = api("advertiser").get(URL)
    assert ids(response) == {network.public.pk, network.gated.pk, network.private.pk}
    for row in response.json()["results"]:
        assert set(row) == FIELDS - {"payout", "payout_type"}
    assert api("advertiser").get(f"{URL}{network.other.pk}/").status_code == 404


def test_an_affiliate_sees_offers_it_may_run_or_ask_for_without_revenue(api, network):
    response = api("affiliate_a")
    rows = response.get(URL).json()["results"]
    assert {r["id"] for r in rows} == {network.public.pk, network.gated.pk, network.private.pk, network.other.pk}
    for row in rows:
        assert set(row) == FIELDS - {"revenue", "revenue_type"} - RULE_FIELDS


def test_an_affiliate_sees_its_own_payout_override_as_the_payout(api, network):
    rows = {r["id"]: r for r in api("affiliate_a").get(URL).json()["results"]}
    assert rows[network.private.pk]["payout"] == "7.50"
    assert rows[network.public.pk]["payout"] == "5.00"


def test_a_private_offer_is_not_found_for_an_affiliate_without_access(api, network):
    assert network.private.pk not in ids(api("affiliate_b").get(URL))
    assert api("affiliate_b").get(f"{URL}{network.private.pk}/").status_code == 404
    assert api("affiliate_a").get(f"{URL}{network.private.pk}/").status_code == 200


def test_anonymous_callers_are_refused(api, network):
    assert api("anonymous").get(URL).status_code == 401


def test_a_manager_creates_an_offer_through_the_service_rules(api, network):
    payload = {
        "name": "Spring Sale",
        "advertiser": network.adv_y.pk,
        "destination_url": "https://shop.example/spring?tid={transaction_id}",
        "payout_type": "cps_percent",
        "payout": "8.00",
        "revenue_type": "cps_percent",
        "revenue": "12.50",
        "session_hours": 672,
        "daily_cap": 100,
    }
    response = api("manager").post(URL, payload, format="json")
    assert response.status_code == 201, response.content
    offer = Offer.objects.get(pk=response.json()["id"])
    assert (offer.advertiser, offer.session_hours, offer.payout) == (network.adv_y, 672, Decimal("8.00"))
    assert offer.allow_multiple_conversions is False
    assert response.json()["conversion_approval"] == "auto"


def test_an_unknown_macro_in_the_destination_url_is_refused_with_the_known_ones(api, network):
    response = api("manager").patch(
        f"{URL}{network.public.pk}/", {"destination_url": "https://shop.example/?x={clickid}"}, format="json"
    )
    assert response.status_code == 400
    message = " ".join(response.json()["destination_url"])
    assert "clickid" in message
    assert "transaction_id" in message


def test_a_negative_payout_is_refused(api, network):
    response = api("manager").patch(f"{URL}{network.public.pk}/", {"payout": "-1.00"}, format="json")
    assert response.status_code == 400
    network.public.refresh_from_db()
    assert network.public.payout == Decimal("5.00")


def test_a_manager_pauses_an_offer(api, network):
    response = api("manager").patch(f"{URL}{network.public.pk}/", {"status": "paused"}, format="json")
    assert response.status_code == 200
    network.public.refresh_from_db()
    assert network.public.status == "paused"


@pytest.mark.parametrize("role", ["affiliate_a", "advertiser"])
def test_only_managers_write_offers(api, network, role):
    assert api(role).patch(f"{URL}{network.public.pk}/", {"payout": "99.00"}, format="json").status_code == 403
    network.public.refresh_from_db()
    assert network.public.payout == Decimal("5.00")


def test_offers_filter_by_visibility_status_advertiser_and_search(api, network):
    manager = api("manager")
    assert ids(manager.get(URL, {"visibility": "private"})) == {network.private.pk}
    assert ids(manager.get(URL, {"advertiser": network.adv_y.pk})) == {network.other.pk}
    assert ids(manager.get(URL, {"q": "gated"})) == {network.gated.pk}
    assert ids(manager.get(URL, {"q": str(network.other.pk)})) == {network.other.pk}


def test_an_advertiser_cannot_filter_by_another_advertiser(api, network):
    response = api("advertiser").get(URL, {"advertiser": network.adv_y.pk})
    assert response.status_code == 400


def test_lists_are_paginated(api, network):
    for n in range(55):
        Offer.objects.create(advertiser=network.adv_y, name=f"Bulk {n}", destination_url="https://x.example/")
    first = api("manager").get(URL).json()
    assert first["count"] == 59
    assert len(first["results"]) == 50
    assert first["previous"] is None
    second = api("manager").get(first["next"]).json()
    assert len(second["results"]) == 9
    assert second["next"] is None
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}
