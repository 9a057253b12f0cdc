"""A pending or suspended partner's users get from the API what they get from their area: a refusal (403), on every
resource and for every method, until a manager activates the partner; then the API opens as usual."""

import pytest
from rest_framework.viewsets import ViewSetMixin

from config.api_urls import router
from conversions.models import AffiliatePostback
from core.api import BaseViewSet
from offers.models import OfferAccess
from partners.models import PartnerStatus
from tests.api.helpers import ids
from tests.api.test_auth import RESOURCES

INACTIVE = (PartnerStatus.PENDING, PartnerStatus.SUSPENDED)


def _set_status(partner, status):
    partner.status = status
    partner.save(update_fields=["status"])


@pytest.mark.parametrize("status", INACTIVE)
@pytest.mark.parametrize("resource", RESOURCES)
def test_an_inactive_affiliates_user_is_refused_by_every_resource(api, network, resource, status):
    _set_status(network.aff_a, status)
    response = api("affiliate_a").get(f"/api/v1/{resource}/")
    assert response.status_code == 403
    assert response.json() == {
        "detail": f"This affiliate account is {status}: the API opens once a network manager activates it."
    }


@pytest.mark.parametrize("status", INACTIVE)
@pytest.mark.parametrize("resource", RESOURCES)
def test_an_inactive_advertisers_user_is_refused_by_every_resource(api, network, resource, status):
    _set_status(network.adv_x, status)
    response = api("advertiser").get(f"/api/v1/{resource}/")
    assert response.status_code == 403
    assert "advertiser account is" in response.json()["detail"]


def test_a_pending_affiliate_reads_no_offer_payout_or_landing_url(api, network):
    _set_status(network.aff_a, PartnerStatus.PENDING)
    for path in ("/api/v1/offers/", f"/api/v1/offers/{network.public.pk}/", f"/api/v1/goals/{network.goal.pk}/"):
        response = api("affiliate_a").get(path)
        assert response.status_code == 403, path
        assert b"destination_url" not in response.content
        assert b"payout" not in response.content


def test_a_pending_affiliate_can_neither_set_a_postback_url_nor_ask_for_offer_access(api, network, monkeypatch):
    _set_status(network.aff_a, PartnerStatus.PENDING)
    client = api("affiliate_a")
    response = client.patch(
        f"/api/v1/affiliates/{network.aff_a.pk}/", {"postback_url": "https://tracker.example/pb"}, format="json"
    )
    assert response.status_code == 403
    assert not AffiliatePostback.objects.filter(affiliate=network.aff_a).exists()
    response = client.post("/api/v1/offer-access/", {"offer": network.gated.pk}, format="json")
    assert response.status_code == 403
    assert not OfferAccess.objects.filter(affiliate=network.aff_a, offer=network.gated).exists()


def test_the_api_opens_once_a_manager_activates_the_affiliate(api, network):
    _set_status(network.aff_a, PartnerStatus.PENDING)
    assert api("affiliate_a").get("/api/v1/offers/").status_code == 403
    _set_status(network.aff_a, PartnerStatus.ACTIVE)
    assert network.public.pk in ids(api("affiliate_a").get("/api/v1/offers/"))


def test_active_partners_managers_and_anonymous_callers_are_answered_as_before(api, network):
    _set_status(network.aff_b, PartnerStatus.SUSPENDED)
    assert api("affiliate_a").get("/api/v1/offers/").status_code == 200
    assert api("advertiser").get("/api/v1/offers/").status_code == 200
    assert api("manager").get("/api/v1/affiliates/").status_code == 200
    assert api("anonymous").get("/api/v1/offers/").status_code == 401


def test_every_registered_viewset_derives_from_the_base_that_refuses_inactive_partners():
    viewsets = [viewset for _, viewset, _ in router.registry]
    assert viewsets and all(issubclass(v, ViewSetMixin) for v in viewsets)
    assert [v.__name__ for v in viewsets if not issubclass(v, BaseViewSet)] == []
