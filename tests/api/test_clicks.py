"""/api/v1/clicks/: read-only, known by transaction ID, scoped to the caller."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories
from tests.api.helpers import ids

URL = "/api/v1/clicks/"
FIELDS = {
    "transaction_id",
    "offer",
    "affiliate",
    "aff_sub",
    "aff_sub2",
    "aff_sub3",
    "aff_sub4",
    "aff_sub5",
    "source",
    "aff_click_id",
    "created_at",
    "expires_at",
}


def test_a_manager_sees_every_click_without_ip_or_user_agent(api, network):
    response = api("manager").get(URL)
    assert ids(response, "transaction_id") == {network.click_a.transaction_id, network.click_b.transaction_id}
    row = api("manager").get(f"{URL}{network.click_a.transaction_id}/").json()
    assert set(row) == FIELDS
    assert (row["offer"], row["affiliate"], row["aff_sub"]) == (network.public.pk, network.aff_a.pk, "news")


@pytest.mark.parametrize(
    ("role", "own", "other"), [("affiliate_a", "click_a", "click_b"), ("affiliate_b", "click_b", "click_a")]
)
def test_an_affiliate_sees_only_its_own_clicks(api, network, role, own, other):
    assert ids(api(role).get(URL), "transaction_id") == {getattr(network, own).transaction_id}
    assert api(role).get(f"{URL}{getattr(network, other).transaction_id}/").status_code == 404


def test_an_advertiser_sees_clicks_on_its_offers(api, network):
    assert ids(api("advertiser").get(URL), "transaction_id") == {network.click_a.transaction_id}
    assert api("advertiser").get(f"{URL}{network.click_b.transaction_id}/").status_code == 404


def test_an_advertiser_sees_no_affiliate_private_tracking_values_of_a_click(api, network):
    click = network.click_a
    click.source, click.aff_click_id, click.aff_sub2 = "newsletter-june", "AFF-CLICK-42", "creative-7"
    click.save()
    private = {"aff_sub", "aff_sub2", "aff_sub3", "aff_sub4", "aff_sub5", "source", "aff_click_id"}
    row = api("advertiser").get(f"{URL}{click.transaction_id}/").json()
    assert set(row) == FIELDS - private
    assert (row["transaction_id"], row["offer"], row["affiliate"]) == (
        click.transaction_id,
        network.public.pk,
        network.aff_a.pk,
    )
    listed = api("advertiser").get(URL).content
    for value in (b"newsletter-june", b"AFF-CLICK-42", b"creative-7", b"news"):
        assert value not in listed
    # The affiliate and the manager still see them.
    assert api("affiliate_a").get(f"{URL}{click.transaction_id}/").json()["source"] == "newsletter-june"
    assert api("manager").get(f"{URL}{click.transaction_id}/").json()["aff_click_id"] == "AFF-CLICK-42"


def test_an_advertiser_cannot_probe_affiliate_private_values_through_filters(api, network):
    everything = {network.click_a.transaction_id}
    assert ids(api("advertiser").get(URL, {"aff_sub": "no-such-sub"}), "transaction_id") == everything
    assert ids(api("advertiser").get(URL, {"source": "no-such-source"}), "transaction_id") == everything
    assert ids(api("affiliate_a").get(URL, {"aff_sub": "no-such-sub"}), "transaction_id") == set()


def test_anonymous_callers_are_refused(api, network):
    assert api("anonymous").get(URL).status_code == 401


def test_clicks_cannot_be_written(api, network):
    assert api("manager").post(URL, {"offer": network.public.pk}, format="json").status_code == 405
    response = api("manager").delete(f"{URL}{network.click_a.transaction_id}/")
    assert response.status_code == 405


def test_clicks_filter_by_sub_id_offer_and_date(api, network):
    old = factories.ClickFactory(
        offer=network.public, affiliate=network.aff_a, created_at=timezone.now() - timedelta(days=10)
    )
    manager = api("manager")
    assert ids(manager.get(URL, {"aff_sub": "blog"}), "transaction_id") == {network.click_b.transaction_id}
    assert ids(manager.get(URL, {"offer": network.other.pk}), "transaction_id") == {network.click_b.transaction_id}
    day = (timezone.now() - timedelta(days=10)).date().isoformat()
    assert ids(manager.get(URL, {"date_from": day, "date_to": day}), "transaction_id") == {old.transaction_id}


def test_an_affiliate_cannot_filter_by_another_affiliate(api, network):
    assert api("affiliate_a").get(URL, {"affiliate": network.aff_b.pk}).status_code == 400
