"""Conversion rules in a real browser (README, Traffic quality): a shopper converts seconds after the click on an
offer whose too-fast rule says "review"; the conversion waits, flagged, on the manager's Flagged page, and the
manager approves it by hand."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from conversions.models import Conversion
from offers.models import RuleAction
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
DESKTOP = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def sign_in(page, base, username):
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def assert_no_sideways_scroll(page, width):
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} scrolls sideways at {width}px ({scroll}px)"


def test_a_too_fast_conversion_shows_up_flagged_and_a_manager_approves_it(
    page, live_server, transactional_db, screenshot
):
    base = live_server.url
    factories.ManagerFactory(username="nina")
    offer = factories.OfferFactory(
        name="Spring Sale",
        advertiser=factories.AdvertiserFactory(name="Acme Shop"),
        destination_url="https://shop.example/landing?tid={transaction_id}",
        too_fast_seconds=60,
        too_fast_action=RuleAction.REVIEW,
    )
    affiliate = factories.AffiliateFactory(name="Blue Coupons")
    page.set_viewport_size({"width": 1366, "height": 900})

    # --- a shopper clicks, and the advertiser reports the sale at once --------------------------------------
    # With a desktop browser's user agent: headless Chromium announces itself, and a bot's click is no session.
    click = page.request.get(
        f"{base}/click?offer_id={offer.pk}&aff_id={affiliate.pk}", headers={"User-Agent": DESKTOP}, max_redirects=0
    )
    assert click.status == 302
    transaction_id = parse_qs(urlsplit(click.headers["location"]).query)["tid"][0]
    answer = page.request.get(
        f"{base}/postback?transaction_id={transaction_id}&amount=20&adv_sub=ORDER-7"
        f"&security_token={offer.advertiser.security_token}"
    )
    assert answer.status == 200
    assert answer.json()["status"] == "pending"
    conversion = Conversion.objects.get()
    assert list(conversion.flags.values_list("code", flat=True)) == ["too_fast"]

    # --- the manager finds it on the Flagged page ----------------------------------------------------------
    sign_in(page, base, "nina")
    page.get_by_role("link", name="Flagged", exact=True).click()
    expect(page.get_by_role("heading", name="Flagged conversions")).to_be_visible()
    row = page.locator("tbody tr", has_text="Spring Sale")
    expect(row).to_contain_text("too_fast")
    expect(row).to_contain_text("Pending")
    expect(row).to_contain_text("Blue Coupons")
    assert_no_sideways_scroll(page, 1366)
    screenshot(page, "flagged-01-list")

    # --- opens it, reads why, approves it by hand ----------------------------------------------------------
    row.get_by_role("link", name=str(conversion.pk)).click()
    expect(page.get_by_role("heading", name=re.compile(f"Conversion #{conversion.pk}"))).to_be_visible()
    expect(page.locator("ul.flags")).to_contain_text("too_fast")
    expect(page.locator("ul.flags")).to_contain_text("the offer's minimum is 60 s")
    screenshot(page, "flagged-02-detail")
    page.locator("#id_status").select_option("approved")
    page.get_by_role("button", name="Save status").click()
    expect(page.get_by_text(f"Conversion #{conversion.pk} is approved.")).to_be_visible()
    conversion.refresh_from_db()
    assert conversion.status == Conversion.Status.APPROVED
    assert conversion.status_changes.get().changed_by.username == "nina"

    # --- the Flagged page says so; the same pages at phone width -------------------------------------------
    page.goto(f"{base}/manage/conversions/flagged/?status=pending")
    expect(page.get_by_text("No flagged conversions match these filters.")).to_be_visible()
    page.goto(f"{base}/manage/conversions/flagged/")
    expect(page.locator("tbody tr", has_text="Spring Sale")).to_contain_text("Approved")
    page.set_viewport_size({"width": 390, "height": 844})
    for name, path in [
        ("flagged-03-phone-list", "/manage/conversions/flagged/"),
        ("flagged-04-phone-detail", f"/manage/conversions/{conversion.pk}/"),
        ("flagged-05-phone-time-to-convert", f"/manage/reports/time-to-convert/?offer={offer.pk}"),
    ]:
        page.goto(f"{base}{path}")
        assert_no_sideways_scroll(page, 390)
        screenshot(page, name)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{base}/manage/reports/time-to-convert/?offer={offer.pk}")
    expect(page.locator("#time-chart")).to_be_visible()
    expect(page.locator("tbody tr").first).to_contain_text("1")
    screenshot(page, "flagged-06-time-to-convert")
    page.goto(f"{base}/manage/offers/{offer.pk}/edit/")
    expect(page.get_by_text("Targeting & quality")).to_be_visible()
    screenshot(page, "flagged-07-offer-form")
