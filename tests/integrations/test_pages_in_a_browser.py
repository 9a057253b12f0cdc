"""The pages these integrations live on, in Chromium at 1366 and 390 px (screenshots in screenshots/): an affiliate
rotates its postback secret and reads how to check signatures, a manager rotates it for the affiliate, an advertiser
reads the partner-ID snippets."""

import pytest
from playwright.sync_api import expect

from partners.models import Affiliate
from tests import factories
from tests.e2e.conftest import browser_type_launch_args, screenshot  # noqa: F401 -- Debian's chromium, screenshots

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
WIDTHS = (1366, 390)


def sign_in(page, base, username):
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_an_affiliate_rotates_its_secret_and_reads_how_to_verify(page, live_server, screenshot):  # noqa: F811
    affiliate = factories.AffiliateFactory(name="Blue Coupons")
    factories.MembershipFactory(affiliate=affiliate, user__username="bea")
    before = affiliate.postback_secret
    page.on("dialog", lambda dialog: dialog.accept())  # the button asks "Make a new postback secret?"
    sign_in(page, live_server.url, "bea")
    page.goto(f"{live_server.url}/affiliate/postbacks/")
    page.get_by_role("button", name="Rotate the secret").click()
    expect(page.locator(".messages, [role=status]").first).to_contain_text("New postback secret")
    affiliate.refresh_from_db()
    assert affiliate.postback_secret_previous == before
    expect(page.locator("#verify-python")).to_contain_text(affiliate.postback_secret)
    expect(page.locator("#verify-python")).to_contain_text(before)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"integrations-affiliate-postbacks-{width}")


def test_a_manager_rotates_an_affiliates_secret(page, live_server, screenshot):  # noqa: F811
    factories.ManagerFactory(username="nina")
    affiliate = factories.AffiliateFactory(name="Deal Hunters")
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server.url, "nina")
    page.goto(f"{live_server.url}/manage/affiliates/{affiliate.pk}/")
    page.get_by_role("button", name="Rotate secret").click()
    expect(page.get_by_text("Previous signs until")).to_be_visible()
    assert Affiliate.objects.get(pk=affiliate.pk).postback_secret_previous == affiliate.postback_secret
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"integrations-manager-affiliate-{width}")


def test_an_advertiser_reads_the_partner_id_snippets(page, live_server, screenshot):  # noqa: F811
    advertiser = factories.AdvertiserFactory(name="Acme Shop")
    factories.MembershipFactory(advertiser=advertiser, user__username="ada")
    offer = factories.OfferFactory(advertiser=advertiser, name="Acme Store Sales")
    sign_in(page, live_server.url, "ada")
    page.goto(f"{live_server.url}/advertiser/offers/{offer.pk}/?protocol=partner")
    expect(page.locator("#php")).to_contain_text("ignore_errors")
    expect(page.locator("#curl")).to_contain_text("conversion_unique_id=UNIQUE_ID")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"integrations-advertiser-offer-{width}")
