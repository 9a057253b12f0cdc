"""A pending or suspended partner's user sees only where its account stands, on every page of its area, as the API
refuses it (tests/api/test_inactive_partners.py)."""

import pytest

from partners.models import PartnerStatus
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def advertiser_user(client):
    membership = factories.MembershipFactory(advertiser=factories.AdvertiserFactory(name="Acme"))
    client.force_login(membership.user)
    return membership


def test_a_suspended_advertiser_sees_the_inactive_page_on_every_area_page(client, advertiser_user):
    offer = factories.OfferFactory(advertiser=advertiser_user.advertiser)
    advertiser_user.advertiser.status = PartnerStatus.SUSPENDED
    advertiser_user.advertiser.save()
    for path in ("/advertiser/", f"/advertiser/offers/{offer.pk}/", "/advertiser/conversions/", "/advertiser/reports/"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert b"This advertiser account is not active" in response.content
    assert client.post(f"/advertiser/offers/{offer.pk}/test/").status_code == 403


def test_an_active_advertiser_reaches_its_area(client, advertiser_user):
    assert client.get("/advertiser/").status_code == 200
    assert client.get("/advertiser/reports/").status_code == 200


@pytest.mark.parametrize(
    ("status", "text"),
    [(PartnerStatus.PENDING, b"under review"), (PartnerStatus.SUSPENDED, b"reports are closed")],
)
def test_an_inactive_affiliate_sees_its_status_instead_of_reports_as_the_api_refuses_them(client, status, text):
    membership = factories.MembershipFactory(affiliate=factories.AffiliateFactory(status=status))
    client.force_login(membership.user)
    for path in ("/affiliate/reports/", "/affiliate/reports/csv/"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert text in response.content
