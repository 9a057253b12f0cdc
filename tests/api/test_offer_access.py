"""/api/v1/offer-access/: managers decide who runs what; affiliates see their rows and ask for access."""

from decimal import Decimal

import pytest

from offers.models import OfferAccess
from tests.api.helpers import ids

URL = "/api/v1/offer-access/"


def test_a_manager_sees_every_row_with_its_payout_override(api, network):
    response = api("manager").get(URL)
    assert ids(response) == {network.access_a.pk}
    assert response.json()["results"][0] == {
        "id": network.access_a.pk,
        "offer": network.private.pk,
        "affiliate": network.aff_a.pk,
        "status": "approved",
        "payout": "7.50",
    }


def test_an_affiliate_sees_only_its_own_rows(api, network):
    assert ids(api("affiliate_a").get(URL)) == {network.access_a.pk}
    assert ids(api("affiliate_b").get(URL)) == set()
    assert api("affiliate_b").get(f"{URL}{network.access_a.pk}/").status_code == 404


def test_an_advertiser_sees_rows_on_its_offers_without_the_payout(api, network):
    response = api("advertiser").get(URL)
    assert ids(response) == {network.access_a.pk}
    assert "payout" not in response.json()["results"][0]


def test_anonymous_callers_are_refused(api, network):
    assert api("anonymous").get(URL).status_code == 401


def test_a_manager_approves_an_affiliate_with_a_payout_override(api, network):
    payload = {"offer": network.gated.pk, "affiliate": network.aff_b.pk, "status": "approved", "payout": "3.25"}
    response = api("manager").post(URL, payload, format="json")
    assert response.status_code == 201, response.content
    row = OfferAccess.objects.get(offer=network.gated, affiliate=network.aff_b)
    assert (row.status, row.payout) == ("approved", Decimal("3.25"))
    assert response.json()["id"] == row.pk


def test_a_second_row_for_the_same_pair_is_refused(api, network):
    payload = {"offer": network.private.pk, "affiliate": network.aff_a.pk, "status": "blocked"}
    response = api("manager").post(URL, payload, format="json")
    assert response.status_code == 400
    network.access_a.refresh_from_db()
    assert network.access_a.status == "approved"


def test_a_manager_must_name_the_affiliate(api, network):
    response = api("manager").post(URL, {"offer": network.gated.pk}, format="json")
    assert response.status_code == 400
    assert "affiliate" in response.json()


def test_patching_the_status_keeps_the_payout_override(api, network):
    response = api("manager").patch(f"{URL}{network.access_a.pk}/", {"status": "blocked"}, format="json")
    assert response.status_code == 200, response.content
    network.access_a.refresh_from_db()
    assert (network.access_a.status, network.access_a.payout) == ("blocked", Decimal("7.50"))


def test_a_payout_override_can_be_removed(api, network):
    response = api("manager").patch(f"{URL}{network.access_a.pk}/", {"payout": None}, format="json")
    assert response.status_code == 200
    network.access_a.refresh_from_db()
    assert (network.access_a.status, network.access_a.payout) == ("approved", None)


def test_a_row_stays_with_its_offer_and_affiliate(api, network):
    response = api("manager").patch(f"{URL}{network.access_a.pk}/", {"affiliate": network.aff_b.pk}, format="json")
    assert response.status_code == 200
    network.access_a.refresh_from_db()
    assert network.access_a.affiliate == network.aff_a


def test_an_affiliate_asks_for_an_approval_required_offer_and_waits(api, network):
    response = api("affiliate_b").post(URL, {"offer": network.gated.pk, "status": "approved"}, format="json")
    assert response.status_code == 201, response.content
    row = OfferAccess.objects.get(offer=network.gated, affiliate=network.aff_b)
    assert row.status == "pending"
    assert response.json()["affiliate"] == network.aff_b.pk


def test_asking_again_does_not_reopen_a_decided_row(api, network):
    OfferAccess.objects.create(offer=network.gated, affiliate=network.aff_b, status="rejected")
    response = api("affiliate_b").post(URL, {"offer": network.gated.pk}, format="json")
    assert response.json()["status"] == "rejected"
    assert OfferAccess.objects.get(offer=network.gated, affiliate=network.aff_b).status == "rejected"


def test_an_affiliate_cannot_ask_for_a_public_offer_or_one_it_cannot_see(api, network):
    response = api("affiliate_b").post(URL, {"offer": network.public.pk}, format="json")
    assert response.status_code == 400
    response = api("affiliate_b").post(URL, {"offer": network.private.pk}, format="json")
    assert response.status_code == 400
    assert not OfferAccess.objects.filter(affiliate=network.aff_b).exists()


@pytest.mark.parametrize("role", ["affiliate_a", "advertiser"])
def test_only_managers_change_rows(api, network, role):
    response = api(role).patch(f"{URL}{network.access_a.pk}/", {"status": "blocked"}, format="json")
    assert response.status_code == 403
    network.access_a.refresh_from_db()
    assert network.access_a.status == "approved"


def test_an_advertiser_cannot_ask_for_access(api, network):
    assert api("advertiser").post(URL, {"offer": network.gated.pk}, format="json").status_code == 403


def test_rows_filter_by_status_offer_and_affiliate(api, network):
    OfferAccess.objects.create(offer=network.gated, affiliate=network.aff_b, status="pending")
    manager = api("manager")
    assert ids(manager.get(URL, {"status": "pending"})) == {OfferAccess.objects.get(affiliate=network.aff_b).pk}
    assert ids(manager.get(URL, {"offer": network.private.pk})) == {network.access_a.pk}
    assert ids(manager.get(URL, {"affiliate": network.aff_a.pk})) == {network.access_a.pk}
