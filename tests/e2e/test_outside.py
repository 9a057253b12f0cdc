"""The two outside audiences in a real browser. An affiliate applies, is approved by a manager, builds
a tracking link, sees the click convert on its dashboard and conversions, and sets and tests its postback URL.
An advertiser is invited by a manager, sets a password, copies its postback snippet and runs the live
integration test until its postback arrives. Screenshots go to screenshots/outside-*.png."""

import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect

from conversions.models import AffiliatePostback, Conversion, PostbackLog
from offers.models import Offer
from partners.models import Affiliate
from reports.services import rollups_rebuild
from tests import factories
from tests.e2e.conftest import DESKTOP_USER_AGENT
from tests.receiver import Receiver, Reply

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "a-Long-unusual-passphrase-42"


def sign_in(page, base, username, password=PASSWORD):
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def fits_a_phone(page, base, path):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}{path}")
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    return width <= 390


@pytest.fixture
def receiver(settings):
    settings.TALLY_POSTBACK_ALLOW_LOOPBACK = True
    with Receiver() as receiver:
        yield receiver


def test_an_affiliate_applies_is_approved_builds_a_link_and_sees_its_conversion(
    page, browser, live_server, landing_server, receiver, screenshot
):
    base = live_server.url
    factories.ManagerFactory(username="nina", email="nina@network.example")
    offer = factories.OfferFactory(
        name="Spring Sale",
        destination_url=f"{landing_server}/landing?tid={{transaction_id}}&sub={{aff_sub}}",
        payout=Decimal("4.50"),
        revenue=Decimal("7.00"),
    )
    page.set_viewport_size({"width": 1280, "height": 900})

    # --- apply ----------------------------------------------------------------------------------------------
    page.goto(f"{base}/login/")
    page.get_by_role("link", name="Become an affiliate").click()
    page.get_by_label("Company or brand").fill("Blue Coupons")
    page.get_by_label("Your name").fill("Ada Blue")
    page.get_by_label("Email").fill("ada@bluecoupons.example")
    page.get_by_label("Website").fill("https://bluecoupons.example")
    page.get_by_label("Traffic sources").fill("Coupon site and a weekly newsletter")
    page.locator("#id_password1").fill(NEW_PASSWORD)
    page.locator("#id_password2").fill(NEW_PASSWORD)
    page.get_by_label("I accept the network's terms and conditions").check()
    screenshot(page, "outside-01-signup")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("heading", name="Your application is under review")).to_be_visible()
    screenshot(page, "outside-02-under-review")
    affiliate = Affiliate.objects.get(name="Blue Coupons")
    assert affiliate.status == Affiliate.Status.PENDING

    # --- a manager approves it ------------------------------------------------------------------------------
    manager = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(manager, base, "nina")
    manager.goto(f"{base}/manage/affiliates/?status=pending")
    manager.get_by_role("link", name="Blue Coupons").click()
    expect(manager.locator("#application")).to_contain_text("Coupon site and a weekly newsletter")
    screenshot(manager, "outside-03-manager-application")
    manager.get_by_role("button", name="Approve").click()
    expect(manager.get_by_text("is approved and active")).to_be_visible()
    manager.close()
    assert [m.subject for m in mail.outbox if m.to == ["ada@bluecoupons.example"]][-1] == (
        "Your affiliate application was approved"
    )

    # --- build a tracking link ------------------------------------------------------------------------------
    page.goto(f"{base}/affiliate/")
    expect(page.get_by_role("heading", name="Blue Coupons")).to_be_visible()
    page.get_by_role("link", name="Offers", exact=True).click()
    page.locator("tr", has_text="Spring Sale").get_by_role("link", name="Get link").click()
    page.get_by_label("Sub ID (aff_sub)").fill("spring-mail")
    page.get_by_role("button", name="Build link").click()
    link = page.locator("#tracking-link").inner_text()
    assert parse_qs(urlsplit(link).query) == {
        "offer_id": [str(offer.pk)],
        "aff_id": [str(affiliate.pk)],
        "aff_sub": ["spring-mail"],
    }
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    copy = page.locator("[data-copy-target='tracking-link']")
    expect(copy).to_be_visible()  # shown by tally.js; without JavaScript the link is selected by hand
    copy.click()
    expect(copy).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == link
    screenshot(page, "outside-04-link-builder")

    # --- a shopper follows it, the advertiser reports the sale ----------------------------------------------
    # A shopper's browser: headless Chromium's own user agent is a bot's, which gets no transaction ID.
    shopper = browser.new_page(user_agent=DESKTOP_USER_AGENT)
    shopper.goto(link)
    expect(shopper.get_by_role("heading", name="Acme landing")).to_be_visible()
    transaction_id = parse_qs(urlsplit(shopper.url).query)["tid"][0]
    shopper.close()
    token = offer.advertiser.security_token
    answer = page.request.get(
        f"{base}/postback?transaction_id={transaction_id}&amount=49.90&adv_sub=ORDER-1&security_token={token}"
    )
    assert answer.json()["status"] == "approved"
    rollups_rebuild()  # what the minutely job does

    page.get_by_role("link", name="Dashboard").click()
    today = page.locator("table.periods tbody tr", has_text="Today")
    expect(today).to_contain_text("1")
    expect(today).to_contain_text("100.00 %")
    expect(today).to_contain_text("4.50 USD")
    expect(page.locator("#report-chart")).to_be_visible()
    screenshot(page, "outside-05-affiliate-dashboard")

    page.get_by_role("link", name="Conversions", exact=True).click()
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("Spring Sale")
    expect(row).to_contain_text("4.50 USD")
    expect(row).to_contain_text("spring-mail")
    expect(page.locator("body")).not_to_contain_text("ORDER-1")
    expect(page.locator("body")).not_to_contain_text("7.00")
    screenshot(page, "outside-06-affiliate-conversions")

    # --- postback URL: test fire, save ----------------------------------------------------------------------
    receiver.script(Reply(status=200, body=b"OK from Blue's tracker"))
    page.get_by_role("link", name="Postbacks", exact=True).click()
    url_field = page.get_by_label("Postback URL")
    url_field.fill(receiver.url("/pb?click="))
    url_field.press("End")
    page.get_by_role("button", name="transaction_id", exact=True).click()
    expect(url_field).to_have_value(receiver.url("/pb?click={transaction_id}"))
    page.get_by_role("button", name="Send a test postback").click()
    result = page.locator("#test-result")
    expect(result).to_contain_text("Test postback delivered")
    expect(result).to_contain_text("200")
    expect(result).to_contain_text("OK from Blue's tracker")
    screenshot(page, "outside-07-postback-test-fire")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Postback URL for every offer saved.")).to_be_visible()
    assert AffiliatePostback.objects.get(affiliate=affiliate).url == receiver.url("/pb?click={transaction_id}")
    screenshot(page, "outside-08-postbacks")

    for path in ("/affiliate/", "/affiliate/links/", "/affiliate/conversions/", "/affiliate/postbacks/"):
        assert fits_a_phone(page, base, path), f"{path} scrolls sideways at phone width"
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/affiliate/")
    screenshot(page, "outside-09-phone-affiliate-dashboard")


def test_an_invited_advertiser_copies_its_snippet_and_runs_the_live_integration_test(
    page, browser, live_server, landing_server, screenshot
):
    base = live_server.url
    factories.ManagerFactory(username="nina", email="nina@network.example")
    acme = factories.AdvertiserFactory(name="Acme Shop", security_token="acme-token-123")
    offer = factories.OfferFactory(
        advertiser=acme, name="Spring Sale", destination_url=f"{landing_server}/landing?tid={{transaction_id}}"
    )
    factories.ConversionFactory(
        click=factories.ClickFactory(offer=offer, affiliate=factories.AffiliateFactory(name="Hidden Name")),
        payout=Decimal("4.44"),
        revenue=Decimal("7.00"),
        adv_sub="ACME-1001",
    )
    page.set_viewport_size({"width": 1280, "height": 900})

    # --- a manager invites Bo -------------------------------------------------------------------------------
    sign_in(page, base, "nina")
    page.goto(f"{base}/manage/advertisers/{acme.pk}/")
    page.get_by_label("Invite someone by email").fill("bo@acme.example")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to bo@acme.example.")).to_be_visible()
    expect(page.locator("#people")).to_contain_text("invited")
    screenshot(page, "outside-10-manager-invites")
    page.get_by_role("button", name="Sign out").click()
    [invitation] = [m for m in mail.outbox if m.to == ["bo@acme.example"]]
    link = re.search(r"http://\S+/invite/\S+", invitation.body).group(0)

    # --- Bo sets a password ---------------------------------------------------------------------------------
    page.goto(link)
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    screenshot(page, "outside-11-invitation")
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page).to_have_url(f"{base}/advertiser/")
    expect(page.get_by_role("heading", name="Acme Shop")).to_be_visible()
    screenshot(page, "outside-12-advertiser-offers")

    # --- the snippets ---------------------------------------------------------------------------------------
    page.get_by_role("link", name="Spring Sale").click()
    postback_url = page.locator("#postback-url").inner_text()
    assert postback_url == (
        f"{base}/postback?transaction_id=TRANSACTION_ID&amount=AMOUNT&adv_sub=ORDER_ID&security_token=acme-token-123"
    )
    for snippet in ("curl", "php", "python", "node"):
        expect(page.locator(f"#{snippet}")).to_contain_text("acme-token-123")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page.locator("[data-copy-target='curl']").click()
    expect(page.locator("[data-copy-target='curl']")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == f"curl -sS -w ' %{{http_code}}\\n' '{postback_url}'\n"
    screenshot(page, "outside-13-advertiser-snippets")
    page.get_by_role("link", name="Partner ID (recurring purchases)").click()
    expect(page.locator("#postback-url")).to_contain_text(f"offer_id={offer.pk}&aff_id=AFFILIATE_ID")

    # --- live integration test ------------------------------------------------------------------------------
    page.get_by_role("button", name="Start a test").click()
    expect(page.get_by_role("heading", name="Live integration test")).to_be_visible()
    expect(page.locator("#integration-results")).to_contain_text("Waiting for your server")
    landing = page.locator("#landing-url").inner_text()
    screenshot(page, "outside-14-integration-waiting")
    # A shopper's browser: headless Chromium's own user agent is a bot's, which gets no transaction ID.
    shopper = browser.new_page(user_agent=DESKTOP_USER_AGENT)
    shopper.goto(landing)
    expect(shopper.get_by_role("heading", name="Acme landing")).to_be_visible()
    transaction_id = parse_qs(urlsplit(shopper.url).query)["tid"][0]
    shopper.close()
    # Acme's server sends the postback, first with a wrong token, then right: the page shows both as they come.
    page.request.get(f"{base}/postback?transaction_id={transaction_id}&amount=12.00&security_token=wrong")
    expect(page.locator("#integration-results")).to_contain_text(
        "Rejected: Security token invalid_token", timeout=10000
    )
    sent = page.request.get(
        f"{base}/postback?transaction_id={transaction_id}&amount=12.00&adv_sub=T-1&security_token=acme-token-123"
    )
    assert sent.json()["status"] == "approved"
    expect(page.locator("#integration-results")).to_contain_text("Your integration works", timeout=10000)
    screenshot(page, "outside-15-integration-arrived")
    assert PostbackLog.objects.filter(is_test=True).count() == 2
    assert Conversion.objects.count() == 1  # the test made none
    rollups_rebuild()
    page.goto(f"{base}/advertiser/reports/?group_by=offer")
    expect(page.locator("table.report tbody tr", has_text="Spring Sale")).to_contain_text("1")

    # --- conversions ----------------------------------------------------------------------------------------
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Conversions").click()
    row = page.locator("tbody tr", has_text="ACME-1001")
    expect(row).to_contain_text("7.00 USD")
    expect(page.locator("body")).not_to_contain_text("4.44")
    expect(page.locator("body")).not_to_contain_text("Hidden Name")
    screenshot(page, "outside-16-advertiser-conversions")

    for path in ("/advertiser/", f"/advertiser/offers/{offer.pk}/", "/advertiser/conversions/"):
        assert fits_a_phone(page, base, path), f"{path} scrolls sideways at phone width"
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/advertiser/offers/{offer.pk}/")
    screenshot(page, "outside-17-phone-advertiser-offer")
    assert Offer.objects.count() == 1
