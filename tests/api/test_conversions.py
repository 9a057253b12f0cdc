"""/api/v1/conversions/: scoped reads with role-dependent money; managers PATCH the status, audited."""

import pytest

from conversions.models import AffiliatePostback, Conversion, ConversionStatusChange, PostbackDelivery
from tests.api.helpers import ids

URL = "/api/v1/conversions/"
FIELDS = {
    "id",
    "transaction_id",
    "offer",
    "affiliate",
    "goal",
    "status",
    "amount",
    "payout",
    "revenue",
    "currency",
    "adv_sub",
    "created_at",
    "seconds_to_convert",
    "country",
    "flags",
}


def test_a_manager_sees_every_conversion_with_every_field(api, network):
    response = api("manager").get(URL)
    assert ids(response) == {network.conv_a.pk, network.conv_b.pk}
    row = api("manager").get(f"{URL}{network.conv_a.pk}/").json()
    assert set(row) == FIELDS
    assert (row["payout"], row["revenue"], row["adv_sub"]) == ("5.00", "8.00", "ORDER-1")
    assert row["transaction_id"] == network.click_a.transaction_id
    assert row["status"] == "approved"


def test_an_affiliate_sees_its_own_conversions_without_revenue_or_adv_sub(api, network):
    response = api("affiliate_a").get(URL)
    assert ids(response) == {network.conv_a.pk}
    row = response.json()["results"][0]
    assert set(row) == FIELDS - {"revenue", "adv_sub", "flags", "country"}
    assert row["payout"] == "5.00"
    assert api("affiliate_a").get(f"{URL}{network.conv_b.pk}/").status_code == 404
    assert ids(api("affiliate_b").get(URL)) == {network.conv_b.pk}


def test_an_advertiser_sees_conversions_on_its_offers_without_payout(api, network):
    response = api("advertiser").get(URL)
    assert ids(response) == {network.conv_a.pk}
    row = response.json()["results"][0]
    assert set(row) == FIELDS - {"payout"}
    assert (row["revenue"], row["adv_sub"], row["affiliate"]) == ("8.00", "ORDER-1", network.aff_a.pk)
    assert api("advertiser").get(f"{URL}{network.conv_b.pk}/").status_code == 404


def test_anonymous_callers_are_refused(api, network):
    assert api("anonymous").get(f"{URL}{network.conv_a.pk}/").status_code == 401


def test_a_manager_rejects_a_conversion_and_the_change_is_audited(api, network):
    response = api("manager").patch(
        f"{URL}{network.conv_a.pk}/", {"status": "rejected", "reason": "fraudulent order"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "rejected"
    network.conv_a.refresh_from_db()
    assert (network.conv_a.status, network.conv_a.status_reason) == ("rejected", "fraudulent order")
    change = ConversionStatusChange.objects.get(conversion=network.conv_a)
    assert (change.old_status, change.new_status, change.reason) == ("approved", "rejected", "fraudulent order")
    assert change.changed_by == network.users["manager"]


def test_patching_the_same_status_writes_no_audit_row(api, network):
    response = api("manager").patch(f"{URL}{network.conv_a.pk}/", {"status": "approved"}, format="json")
    assert response.status_code == 200
    assert not ConversionStatusChange.objects.exists()


def test_only_the_status_of_a_conversion_can_change(api, network):
    response = api("manager").patch(f"{URL}{network.conv_a.pk}/", {"payout": "500.00", "amount": "1"}, format="json")
    assert response.status_code == 200
    network.conv_a.refresh_from_db()
    assert str(network.conv_a.payout) == "5.00"
    assert str(network.conv_a.amount) == "100.00"


def test_an_unknown_status_is_refused(api, network):
    response = api("manager").patch(f"{URL}{network.conv_a.pk}/", {"status": "APPROVED"}, format="json")
    assert response.status_code == 400
    assert not ConversionStatusChange.objects.exists()


@pytest.mark.parametrize("role", ["affiliate_a", "advertiser"])
def test_only_managers_change_a_status(api, network, role):
    response = api(role).patch(f"{URL}{network.conv_a.pk}/", {"status": "rejected"}, format="json")
    assert response.status_code == 403
    network.conv_a.refresh_from_db()
    assert network.conv_a.status == "approved"


def test_conversions_cannot_be_created_replaced_or_deleted(api, network):
    manager = api("manager")
    assert manager.post(URL, {}, format="json").status_code == 405
    assert manager.put(f"{URL}{network.conv_a.pk}/", {"status": "rejected"}, format="json").status_code == 405
    assert manager.delete(f"{URL}{network.conv_a.pk}/").status_code == 405


def test_conversions_filter_by_status_affiliate_and_transaction_id(api, network):
    network.conv_b.status = "pending"
    network.conv_b.save()
    manager = api("manager")
    assert ids(manager.get(URL, {"status": "pending"})) == {network.conv_b.pk}
    assert ids(manager.get(URL, {"affiliate": network.aff_a.pk})) == {network.conv_a.pk}
    assert ids(manager.get(URL, {"transaction_id": network.click_b.transaction_id})) == {network.conv_b.pk}


def test_approving_a_pending_conversion_queues_the_affiliates_postback(api, network):
    AffiliatePostback.objects.create(affiliate=network.aff_a, url="https://tracker.example/pb?tid={transaction_id}")
    Conversion.objects.filter(pk=network.conv_a.pk).update(status="pending")
    response = api("manager").patch(f"{URL}{network.conv_a.pk}/", {"status": "approved"}, format="json")
    assert response.status_code == 200
    delivery = PostbackDelivery.objects.get(conversion=network.conv_a)
    assert (delivery.conversion_status, delivery.status) == ("approved", "pending")
