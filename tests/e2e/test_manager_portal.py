"""A network manager's day in a real browser: sign in, create an offer with the URL builder, follow its tracking
link, fire the advertiser's postback, and find the conversion and its log entry."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from conversions.models import Conversion, PostbackLog
from conversions.reasons import Reason
from offers.models import Offer
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


@pytest.fixture
def network(transactional_db):
    manager = factories.ManagerFactory(username="nina")
    advertiser = factories.AdvertiserFactory(name="Acme Shop")
    affiliate = factories.AffiliateFactory(name="Blue Coupons")
    return {"manager": manager, "advertiser": advertiser, "affiliate": affiliate}


def sign_in(page, base, username):
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_manager_creates_an_offer_and_sees_its_first_conversion(
    page, live_server, landing_server, network, screenshot
):
    base = live_server.url

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/manage/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/manage/$"))
    screenshot(page, "01-login")
    sign_in(page, base, "nina")
    expect(page).to_have_url(f"{base}/manage/")
    expect(page.get_by_role("heading", name="Network")).to_be_visible()
    screenshot(page, "02-dashboard")

    # --- create the offer with the URL builder --------------------------------------------------------------
    page.get_by_role("link", name="Offers", exact=True).click()
    page.get_by_role("link", name="New offer").click()
    page.locator("#id_advertiser").select_option(label="Acme Shop")
    page.locator("#id_name").fill("Spring Sale")
    url_field = page.locator("#id_destination_url")
    url_field.fill(f"{landing_server}/landing?tid=")
    page.get_by_role("button", name="{transaction_id}").click()
    url_field.press("End")
    url_field.type("&sub=")
    page.get_by_role("button", name="{aff_sub}", exact=True).click()
    expect(url_field).to_have_value(f"{landing_server}/landing?tid={{transaction_id}}&sub={{aff_sub}}")
    preview = page.locator("#landing-preview")
    expect(preview).to_have_text(f"{landing_server}/landing?tid=9f2c4e7a1b3d5f60718293a4b5c6d7e8&sub=newsletter")

    url_field.type("&x={clickid}")
    expect(preview).to_contain_text("Unknown macro: clickid. Known macros: transaction_id")
    for _ in range(len("&x={clickid}")):
        url_field.press("Backspace")
    expect(preview).to_contain_text("sub=newsletter")

    page.get_by_role("button", name="672 h · 28 days").click()
    expect(page.locator("#id_session_hours")).to_have_value("672")
    page.locator("#id_payout").fill("4.50")
    page.locator("#id_revenue").fill("7.00")
    page.locator("#id_goals-0-name").fill("registration")
    screenshot(page, "03-offer-form")
    page.get_by_role("button", name="Save offer").click()

    expect(page.get_by_role("heading", name=re.compile("Spring Sale"))).to_be_visible()
    offer = Offer.objects.get(name="Spring Sale")
    assert offer.destination_url == f"{landing_server}/landing?tid={{transaction_id}}&sub={{aff_sub}}"
    assert offer.session_hours == 672
    assert list(offer.goals.values_list("name", flat=True)) == ["registration"]
    screenshot(page, "04-offer-detail")

    # --- a shopper follows an affiliate's tracking link -----------------------------------------------------
    affiliate = network["affiliate"]
    page.goto(f"{base}/click?offer_id={offer.pk}&aff_id={affiliate.pk}&aff_sub=spring-mail")
    expect(page.get_by_role("heading", name="Acme landing")).to_be_visible()
    landed = parse_qs(urlsplit(page.url).query)
    assert landed["sub"] == ["spring-mail"]
    transaction_id = landed["tid"][0]

    # --- the advertiser's server reports the sale -----------------------------------------------------------
    token = offer.advertiser.security_token
    answer = page.request.get(
        f"{base}/postback?transaction_id={transaction_id}&amount=49.90&adv_sub=ORDER-1001&security_token={token}"
    )
    assert answer.status == 200
    assert answer.json()["status"] == "approved"
    refused = page.request.get(
        f"{base}/postback?transaction_id={transaction_id}&amount=49.90&adv_sub=ORDER-1001&security_token={token}"
    )
    assert refused.status == 409

    # --- the manager finds the click, the conversion and the postbacks --------------------------------------
    page.goto(f"{base}/manage/clicks/")
    expect(page.get_by_text("spring-mail")).to_be_visible()
    screenshot(page, "05-clicks")

    page.get_by_role("link", name="Conversions", exact=True).click()
    row = page.locator("tr", has_text="ORDER-1001")
    expect(row).to_contain_text("Spring Sale")
    expect(row).to_contain_text("Blue Coupons")
    expect(row).to_contain_text("4.50 USD")
    screenshot(page, "06-conversions")

    page.get_by_role("link", name="Postbacks", exact=True).click()
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.locator("tbody tr").first).to_contain_text("duplicate")
    screenshot(page, "07-postback-log")
    page.locator("tbody tr").last.get_by_role("link").first.click()
    expect(page.get_by_role("heading", name=re.compile("Approved"))).to_be_visible()
    expect(page.locator("ol.trace li.pass")).to_have_count(len(Reason))  # every rule passed
    expect(page.locator("ol.trace")).to_contain_text("Not a duplicate")
    screenshot(page, "08-postback-entry")

    conversion = Conversion.objects.get()
    assert (conversion.offer, conversion.affiliate, conversion.adv_sub) == (offer, affiliate, "ORDER-1001")
    assert PostbackLog.objects.filter(conversion=conversion).count() == 2

    # --- the same pages at phone width ----------------------------------------------------------------------
    page.set_viewport_size({"width": 390, "height": 844})
    for name, path in [
        ("09-phone-dashboard", "/manage/"),
        ("10-phone-offer-form", f"/manage/offers/{offer.pk}/edit/"),
        ("11-phone-conversions", "/manage/conversions/"),
        ("12-phone-postback-entry", page.url.removeprefix(base)),
    ]:
        page.goto(f"{base}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} scrolls sideways at phone width ({width}px)"
        screenshot(page, name)
