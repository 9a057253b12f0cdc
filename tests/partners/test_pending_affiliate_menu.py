"""A pending affiliate sees where its application stands on every affiliate page, as on the dashboard, and never a
menu of pages that would answer 403 (templates/affiliate/base.html shows it the dashboard link only)."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from partners.models import Affiliate
from tests import factories

pytestmark = pytest.mark.django_db

PAGES = [
    "/affiliate/",
    "/affiliate/offers/",
    "/affiliate/links/",
    "/affiliate/postbacks/",
    "/affiliate/postbacks/deliveries/",
    "/affiliate/conversions/",
    "/affiliate/reports/",
    "/affiliate/reports/csv/",
]
CLOSED_LINKS = [
    'href="/affiliate/offers/"',
    'href="/affiliate/links/"',
    'href="/affiliate/conversions/"',
    'href="/affiliate/reports/"',
    'href="/affiliate/postbacks/"',
]


@pytest.fixture
def pending_user(db):
    affiliate = factories.AffiliateFactory(status=Affiliate.Status.PENDING)
    return factories.MembershipFactory(affiliate=affiliate).user


@pytest.mark.parametrize("path", PAGES)
def test_every_affiliate_page_shows_a_pending_affiliate_its_application_and_no_closed_links(client, pending_user, path):
    client.force_login(pending_user)

    response = client.get(path)
    page = response.content.decode()

    assert response.status_code in (200, 403)
    assert "Your application is under review" in page
    assert [link for link in CLOSED_LINKS if link in page] == []


def rendered_menu(user):
    request = RequestFactory().get("/affiliate/reports/")
    request.user = user
    return render_to_string("affiliate/base.html", {"user": user}, request=request)


def test_the_affiliate_menu_offers_a_pending_affiliate_the_dashboard_only(pending_user):
    menu = rendered_menu(pending_user)

    assert 'href="/affiliate/">Dashboard' in menu
    assert [link for link in CLOSED_LINKS if link in menu] == []


def test_the_affiliate_menu_offers_an_active_affiliate_every_page(affiliate_user):
    menu = rendered_menu(affiliate_user)

    assert [link for link in CLOSED_LINKS if link not in menu] == []
