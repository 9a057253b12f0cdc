"""Traffic quality in a real browser (README, Traffic quality): a manager restricts an offer to one country and to
mobile in the offer form; a desktop click from elsewhere lands on the fallback with no transaction ID, a mobile
click from that country lands on the offer, and the report counts the rejected click."""

import re

import pytest
from playwright.sync_api import expect

from offers.models import Offer
from quality.models import RefusedClickCount
from tests import factories
from tests.e2e.conftest import DESKTOP_USER_AGENT
from tracking.models import Click

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
GB_SHOPPER = "81.2.69.160"
US_SHOPPER = "8.8.8.8"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 "
    "Mobile/15E148 Safari/604.1"
)


def test_a_desktop_click_from_outside_the_offers_country_lands_on_the_fallback(
    page, browser, live_server, landing_server, settings, screenshot
):
    settings.TALLY_TRUSTED_PROXY_COUNT = 1  # the shopper's address comes from X-Forwarded-For (core/http.py)
    factories.ManagerFactory(username="nina")
    offer = factories.OfferFactory(
        name="Phone Plans",
        destination_url=f"{landing_server}/landing?tid={{transaction_id}}",
        fallback_url=f"{landing_server}/fallback",
    )
    affiliate = factories.AffiliateFactory(name="Blue Coupons")
    base = live_server.url

    # --- the manager restricts the offer to the US and to mobile -------------------------------------------------
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{base}/login/?next=/manage/offers/{offer.pk}/edit/")
    page.get_by_label("Username").fill("nina")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    section = page.locator("fieldset", has=page.get_by_text("Targeting & quality", exact=True))
    expect(section).to_be_visible()
    section.get_by_label("Allowed countries").fill("us")
    section.get_by_label("Mobile").check()
    screenshot(page, "traffic-quality-offer-form")
    page.get_by_role("button", name="Save offer").click()
    expect(page).to_have_url(re.compile(rf"/manage/offers/{offer.pk}/$"))
    expect(page.get_by_text("only US")).to_be_visible()
    offer = Offer.objects.get(pk=offer.pk)
    assert (offer.allowed_countries, offer.allowed_devices) == (["US"], ["mobile"])

    link = f"{base}/click?offer_id={offer.pk}&aff_id={affiliate.pk}"

    # --- a desktop shopper in Great Britain: the fallback, no transaction ID ------------------------------------
    desktop = browser.new_context(user_agent=DESKTOP_USER_AGENT, extra_http_headers={"X-Forwarded-For": GB_SHOPPER})
    shopper = desktop.new_page()
    shopper.goto(link)
    expect(shopper).to_have_url(f"{landing_server}/fallback")
    expect(shopper.get_by_role("heading", name="Acme landing")).to_be_visible()
    desktop.close()
    assert Click.objects.count() == 0
    assert RefusedClickCount.objects.get().reason == "geo"

    # --- a phone in the US: the offer, with a transaction ID -----------------------------------------------------
    phone = browser.new_context(user_agent=IPHONE, extra_http_headers={"X-Forwarded-For": US_SHOPPER})
    shopper = phone.new_page()
    shopper.goto(link)
    click = Click.objects.get()
    expect(shopper).to_have_url(f"{landing_server}/landing?tid={click.transaction_id}")
    phone.close()
    assert (click.country, click.device, click.os) == ("US", "mobile", "ios")

    # --- the report counts the rejected click; the click's page shows what was told ----------------------------
    page.goto(f"{base}/manage/reports/?preset=today&group_by=day")
    rejected = page.locator("section.rejected-clicks")
    expect(rejected.get_by_role("row", name=re.compile("Country not targeted"))).to_contain_text("1")
    screenshot(page, "traffic-quality-report")
    page.goto(f"{base}/manage/clicks/{click.transaction_id}/")
    expect(page.locator("dl.facts").first).to_contain_text("US")
    screenshot(page, "traffic-quality-click-detail")


def test_a_manager_blocks_a_network_and_its_clicks_are_refused(page, live_server, landing_server, settings, screenshot):
    settings.TALLY_TRUSTED_PROXY_COUNT = 1
    factories.ManagerFactory(username="nina")
    offer = factories.OfferFactory(destination_url=f"{landing_server}/landing?tid={{transaction_id}}")
    affiliate = factories.AffiliateFactory()
    base = live_server.url

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/login/?next=/manage/offers/blocklist/")
    page.get_by_label("Username").fill("nina")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Kind").select_option(label="Network (CIDR)")
    page.get_by_label("Value").fill("81.2.69.0/24")
    page.get_by_label("Note").fill("scraper farm")
    page.get_by_role("button", name="Add to blocklist").click()
    expect(page.get_by_role("cell", name="81.2.69.0/24")).to_be_visible()
    screenshot(page, "traffic-quality-blocklist-390")
    page.set_viewport_size({"width": 1366, "height": 900})
    screenshot(page, "traffic-quality-blocklist-1366")

    page.set_extra_http_headers({"X-Forwarded-For": GB_SHOPPER})
    response = page.goto(f"{base}/click?offer_id={offer.pk}&aff_id={affiliate.pk}")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Link not available")).to_be_visible()
    assert Click.objects.count() == 0
    assert RefusedClickCount.objects.get().reason == "blocked"
