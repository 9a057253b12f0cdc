"""/api/v1/advertisers/: managers see and write all; an advertiser sees itself (and its token); affiliates none."""

import pytest

from partners.models import Advertiser
from tests.api.helpers import ids

URL = "/api/v1/advertisers/"


def test_a_manager_lists_every_advertiser_without_their_security_tokens(api, network):
    response = api("manager").get(URL)
    assert ids(response) == {network.adv_x.pk, network.adv_y.pk}
    row = next(r for r in response.json()["results"] if r["id"] == network.adv_x.pk)
    assert row == {"id": network.adv_x.pk, "name": "Acme", "status": "active", "postback_ip_allowlist": []}


def test_an_advertiser_sees_only_itself_with_its_security_token(api, network):
    response = api("advertiser").get(URL)
    assert ids(response) == {network.adv_x.pk}
    assert response.json()["results"][0]["security_token"] == "acme-secret-token"


@pytest.mark.parametrize("role", ["affiliate_a", "affiliate_b"])
def test_affiliates_see_no_advertisers(api, network, role):
    assert ids(api(role).get(URL)) == set()
    assert api(role).get(f"{URL}{network.adv_x.pk}/").status_code == 404


def test_another_advertiser_is_not_found_for_an_advertiser(api, network):
    assert api("advertiser").get(f"{URL}{network.adv_y.pk}/").status_code == 404
    assert api("advertiser").get(f"{URL}{network.adv_x.pk}/").status_code == 200


def test_anonymous_callers_are_refused(api, network):
    assert api("anonymous").get(URL).status_code == 401


def test_a_manager_creates_an_advertiser_with_a_token_that_is_stored_but_not_echoed(api, network):
    response = api("manager").post(
        URL,
        {"name": "New Shop", "security_token": "s3cret", "postback_ip_allowlist": ["192.0.2.0/24", "2001:db8::1"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert "security_token" not in body
    advertiser = Advertiser.objects.get(pk=body["id"])
    assert advertiser.security_token == "s3cret"
    assert advertiser.postback_ip_allowlist == ["192.0.2.0/24", "2001:db8::1"]


def test_an_allowlist_entry_that_is_not_an_ip_or_network_is_refused(api, network):
    response = api("manager").patch(
        f"{URL}{network.adv_x.pk}/", {"postback_ip_allowlist": ["not-an-ip"]}, format="json"
    )
    assert response.status_code == 400
    assert "postback_ip_allowlist" in response.json()
    network.adv_x.refresh_from_db()
    assert network.adv_x.postback_ip_allowlist == []


def test_a_manager_suspends_an_advertiser(api, network):
    response = api("manager").patch(f"{URL}{network.adv_y.pk}/", {"status": "suspended"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "suspended"
    network.adv_y.refresh_from_db()
    assert network.adv_y.status == "suspended"


@pytest.mark.parametrize("role", ["affiliate_a", "advertiser"])
def test_only_managers_write_advertisers(api, network, role):
    assert api(role).post(URL, {"name": "Sneaky"}, format="json").status_code == 403
    assert api(role).patch(f"{URL}{network.adv_x.pk}/", {"name": "Renamed"}, format="json").status_code == 403
    network.adv_x.refresh_from_db()
    assert network.adv_x.name == "Acme"
    assert not Advertiser.objects.filter(name="Sneaky").exists()


def test_advertisers_filter_by_status_and_search(api, network):
    network.adv_y.status = "suspended"
    network.adv_y.save()
    assert ids(api("manager").get(URL, {"status": "suspended"})) == {network.adv_y.pk}
    assert ids(api("manager").get(URL, {"q": "acm"})) == {network.adv_x.pk}


def test_a_manager_creates_an_advertiser_without_a_token_and_it_gets_one(api, network):
    response = api("manager").post(URL, {"name": "New Shop", "security_token": ""}, format="json")

    assert response.status_code == 201, response.content
    advertiser = Advertiser.objects.get(pk=response.json()["id"])
    assert len(advertiser.security_token) >= 24
    assert advertiser.token_required is True
