"""The pages issue 17 changed, in Chromium at 1366 and 390 px: sign-in with the e-mail address, the 404 page, a pending
affiliate's reports page and the integration test listing a malformed postback. Screenshots: screenshots/newcomer-*."""

import pytest
from playwright.sync_api import expect

from partners.models import Affiliate
from tests import factories
from tracking.models import Click

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
WIDTHS = {"wide": 1366, "phone": 390}


def sign_in(page, base, login):
    page.goto(f"{base}/login/")
    page.get_by_label("Username or e-mail").fill(login)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def shoot(page, screenshot, name):
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"newcomer-{name}-{label}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, label)


def test_a_manager_signs_in_with_the_e_mail_address_and_an_unknown_page_keeps_the_layout(
    page, live_server, screenshot, settings
):
    settings.DEBUG = False
    factories.ManagerFactory(username="nina", email="nina@network.example")
    base = live_server.url
    page.goto(f"{base}/login/")
    shoot(page, screenshot, "login")

    sign_in(page, base, "Nina@Network.example")
    expect(page).to_have_url(f"{base}/manage/")

    response = page.goto(f"{base}/manage/offers/999999/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    expect(page.locator(".topbar")).to_contain_text("nina")
    shoot(page, screenshot, "404")


def test_a_pending_affiliate_on_the_reports_page_sees_its_application_and_no_menu(page, live_server, screenshot):
    affiliate = factories.AffiliateFactory(name="Newcomer Media", status=Affiliate.Status.PENDING)
    factories.MembershipFactory(affiliate=affiliate, user=factories.UserFactory(username="newbie"))
    sign_in(page, live_server.url, "newbie@example.com")

    page.goto(f"{live_server.url}/affiliate/reports/")

    expect(page.get_by_role("heading", name="Your application is under review")).to_be_visible()
    expect(page.get_by_role("link", name="Offers")).to_have_count(0)
    shoot(page, screenshot, "pending-affiliate-reports")


def test_the_integration_test_lists_a_postback_with_a_malformed_amount(page, live_server, screenshot):
    advertiser = factories.AdvertiserFactory(name="Acme")
    factories.MembershipFactory(advertiser=advertiser, user=factories.UserFactory(username="acme"))
    offer = factories.OfferFactory(advertiser=advertiser, destination_url="https://shop.example/?tid={transaction_id}")
    sign_in(page, live_server.url, "acme")
    page.goto(f"{live_server.url}/advertiser/offers/{offer.pk}/")
    page.get_by_role("button", name="Start a test").click()
    click = Click.objects.get(offer=offer)

    page.request.get(
        f"{live_server.url}/postback?transaction_id={click.transaction_id}&amount=49,90"
        f"&security_token={factories.SECURITY_TOKEN}"
    )
    page.get_by_role("button", name="Refresh").click()

    expect(page.locator(".test-result")).to_contain_text("invalid_parameter")
    shoot(page, screenshot, "integration-test-malformed")
