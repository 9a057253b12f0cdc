"""A sorted list per audience in Chromium: a column header sorts descending, then ascending, and marks itself.
Screenshots at 1366 and 390 px go to screenshots/sorted-*.png."""

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def world(transactional_db):
    advertiser = factories.AdvertiserFactory(name="Acme Shop")
    affiliate = factories.AffiliateFactory(name="Blue Coupons")
    offers = [
        factories.OfferFactory(advertiser=advertiser, name=name, payout=Decimal(payout), revenue=Decimal(revenue))
        for name, payout, revenue in (
            ("Spring sale", "4.00", "6.50"),
            ("Newsletter sign-up", "1.50", "2.00"),
            ("Premium plan", "25.00", "40.00"),
        )
    ]
    # Blue Coupons earns more on the sign-up than the offer pays others: its payout column and sort say so.
    factories.OfferAccessFactory(offer=offers[1], affiliate=affiliate, payout=Decimal("30.00"))
    for offer in offers:
        factories.ConversionFactory(
            click__offer=offer, click__affiliate=affiliate, payout=offer.payout, revenue=offer.revenue, currency="EUR"
        )
    return {
        "manager": factories.ManagerFactory(username="nina"),
        "affiliate": factories.MembershipFactory(affiliate=affiliate).user,
        "advertiser": factories.MembershipFactory(advertiser=advertiser).user,
    }


def sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


def sort_by(page, header, ordering):
    page.get_by_role("link", name=re.compile(rf"^{header}")).click()
    expect(page).to_have_url(re.compile(rf"ordering={ordering}(&|$)"))


@pytest.mark.parametrize(
    ("who", "path", "header", "key", "column", "first", "last"),
    [
        ("manager", "/manage/offers/", "Payout", "payout", 5, "25.00", "1.50"),
        ("affiliate", "/affiliate/offers/", "Your payout", "payout", 2, "30.00", "4.00"),
        ("advertiser", "/advertiser/conversions/", "Revenue", "revenue", 6, "40.00 EUR", "2.00 EUR"),
    ],
)
def test_each_audience_sorts_a_list_by_clicking_a_column_header(
    page, live_server, world, screenshot, who, path, header, key, column, first, last
):
    sign_in(page, live_server, world[who])
    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server.url}{path}")
    rows = page.locator("table tbody tr")

    sort_by(page, header, f"-{key}")
    expect(rows.first.locator("td").nth(column)).to_contain_text(first)
    expect(page.locator('th[aria-sort="descending"]')).to_contain_text(f"{header} ▼")
    for size, label in ((LAPTOP, "1366"), (PHONE, "390")):
        page.set_viewport_size(size)
        screenshot(page, f"sorted-{who}-{label}")

    page.set_viewport_size(LAPTOP)
    sort_by(page, header, key)
    expect(rows.first.locator("td").nth(column)).to_contain_text(last)
    expect(page.locator('th[aria-sort="ascending"]')).to_contain_text(f"{header} ▲")
