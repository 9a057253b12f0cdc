"""Creatives and the catalogue in a real browser (README.md, Creatives and Offer catalogue): a manager uploads a
banner, the affiliate finds it on the offer's page with its own tracking link and copies the snippet; the affiliate
filters the catalogue by category. Screenshots at 1366 and 390 px wide."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from offers.models import Creative
from tests import factories
from tests.factories import small_png

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LAPTOP, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}


@pytest.fixture
def world(transactional_db):
    fashion = factories.CategoryFactory(name="Fashion", slug="fashion")
    factories.CategoryFactory(name="Games", slug="games")
    offer = factories.OfferFactory(name="Acme Store Sales", category=fashion, description="Shoes and bags")
    factories.OfferFactory(name="Chess Club", description="Play chess")
    affiliate = factories.AffiliateFactory(name="Blue Coupons")
    return {
        "manager": factories.ManagerFactory(),
        "affiliate_user": factories.MembershipFactory(affiliate=affiliate).user,
        "affiliate": affiliate,
        "offer": offer,
        "fashion": fashion,
    }


def session_for(page, live_server, user):
    page.context.clear_cookies()
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


def both_widths(page, screenshot, name):
    for size, label in ((LAPTOP, "1366"), (PHONE, "390")):
        page.set_viewport_size(size)
        screenshot(page, f"creatives-{name}-{label}")
    page.set_viewport_size(LAPTOP)


def image_loaded(locator):
    """Waits for the image to finish loading (a visible <img> may still be fetching) and says if it decoded."""
    return locator.evaluate(
        """img => img.complete ? img.naturalWidth > 0 : new Promise(done => {
            img.addEventListener("load", () => done(img.naturalWidth > 0));
            img.addEventListener("error", () => done(false));
        })"""
    )


def test_a_manager_uploads_a_banner_and_the_affiliate_copies_it_with_its_link(page, live_server, world, screenshot):
    base, offer = live_server.url, world["offer"]
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page.set_viewport_size(LAPTOP)

    # --- the manager uploads a banner from the offer's page ---------------------------------------------------
    session_for(page, live_server, world["manager"])
    page.goto(f"{base}/manage/offers/{offer.pk}/")
    page.get_by_role("link", name="Creatives").click()
    page.get_by_label("Name").fill("Leaderboard")
    page.get_by_label("Image").set_input_files(
        {"name": "leaderboard.png", "mimeType": "image/png", "buffer": small_png(728, 90, (20, 120, 200))}
    )
    page.get_by_role("button", name="Add creative").click()
    expect(page.get_by_text("Banner “Leaderboard” added.")).to_be_visible()
    preview = page.get_by_role("img", name="Leaderboard")
    expect(preview).to_be_visible()
    assert image_loaded(preview)
    both_widths(page, screenshot, "manager")

    # An HTML page dressed as a PNG is refused, with the reason on the form.
    page.get_by_label("Name").fill("Sneaky")
    page.get_by_label("Image").set_input_files(
        {"name": "sneaky.png", "mimeType": "image/png", "buffer": b"<html><script>alert(1)</script></html>"}
    )
    page.get_by_role("button", name="Add creative").click()
    expect(page.get_by_text("not a PNG, JPEG, GIF or WebP image")).to_be_visible()
    assert Creative.objects.count() == 1

    # --- coupon codes and categories, for the record ----------------------------------------------------------
    page.get_by_role("link", name="Coupon codes").click()
    page.get_by_label("Code").fill("SUMMER10")
    page.get_by_label("Affiliate").select_option(value=str(world["affiliate"].pk))
    page.get_by_label("Valid until").fill("2026-08-31")
    page.get_by_role("button", name="Add code").click()
    expect(page.get_by_text("Coupon code SUMMER10 now converts for Blue Coupons.")).to_be_visible()
    both_widths(page, screenshot, "coupons")
    page.goto(f"{base}/manage/categories/")
    expect(page.get_by_role("cell", name="Fashion", exact=True)).to_be_visible()
    both_widths(page, screenshot, "categories")

    # --- the affiliate finds it with its own tracking link and copies the snippet -------------------------------
    session_for(page, live_server, world["affiliate_user"])
    page.goto(f"{base}/affiliate/offers/{offer.pk}/")
    banner = page.get_by_role("img", name="Leaderboard")
    expect(banner).to_be_visible()
    assert image_loaded(banner)
    creative = Creative.objects.get()
    snippet = page.locator(f"#snippet-{creative.pk}")
    link = f"{base}/click?offer_id={offer.pk}&amp;aff_id={world['affiliate'].pk}"
    expect(snippet).to_contain_text(f'<a href="{link}"><img src="{base}/creative/{creative.public_key}"')
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == snippet.text_content()
    both_widths(page, screenshot, "affiliate-offer")

    # The pasted banner loads from the public URL as an image, never as a page.
    answer = page.request.get(f"{base}/creative/{creative.public_key}")
    assert answer.status == 200
    assert answer.headers["content-type"] == "image/png"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in answer.headers["content-security-policy"]


def test_the_affiliate_filters_the_catalogue_by_category(page, live_server, world, screenshot):
    base = live_server.url
    page.set_viewport_size(LAPTOP)
    session_for(page, live_server, world["affiliate_user"])

    page.goto(f"{base}/affiliate/offers/")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    page.get_by_label("Category").select_option(label="Fashion")
    page.get_by_role("button", name="Filter").click()

    assert f"category={world['fashion'].pk}" in page.url
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Acme Store Sales")
    both_widths(page, screenshot, "catalogue")

    page.get_by_label("Search").fill("chess")
    page.get_by_label("Category").select_option(label="Any")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Chess Club")
