"""What a first week of real use found, checked in Chromium: key numbers on a phone, straight charts on integer axes,
compact sortable lists with their bulk actions on top, keyboard focus, a skip link and fields that show their error.
Screenshots at 1366 and 390 px go to screenshots/usability-*.png."""

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from reports.services import rollups_refresh
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
LONG = "Acme International Shopping Network – Spring Mega Sale"


@pytest.fixture
def world(transactional_db):
    manager = factories.ManagerFactory(username="nina")
    affiliate = factories.AffiliateFactory(name="Blue Coupons and Cashback Rewards Worldwide")
    offer = factories.OfferFactory(name=LONG, currency="EUR")
    factories.GoalFactory(offer=offer, name="first_deposit")
    conversions = [
        factories.ConversionFactory(
            click__offer=offer,
            click__affiliate=affiliate,
            amount=Decimal(10 + index),
            payout=Decimal("4.00"),
            revenue=Decimal("6.50"),
            adv_sub=f"ORDER-{index:05d}",
            currency="EUR",
        )
        for index in range(30)
    ]
    for _ in range(40):
        factories.ClickFactory(offer=offer, affiliate=affiliate, aff_sub="newsletter")
    rollups_refresh()
    affiliate_user = factories.MembershipFactory(affiliate=affiliate).user
    return {"manager": manager, "affiliate_user": affiliate_user, "offer": offer, "conversions": conversions}


def session_for(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


def both_widths(page, screenshot, name):
    for size, label in ((LAPTOP, "1366"), (PHONE, "390")):
        page.set_viewport_size(size)
        screenshot(page, f"usability-{name}-{label}")


def assert_on_screen(page, locator):
    """The element is laid out inside the viewport's width: no sideways scrolling needed to read it."""
    box = locator.bounding_box()
    assert box is not None and box["width"] > 0
    assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"] + 0.5, box


def test_the_key_numbers_fit_a_phone_screen(page, live_server, world, screenshot):
    session_for(page, live_server, world["manager"])
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/manage/reports/?group_by=affiliate")
    row = page.locator("table.report tbody tr").first
    for label in ("Clicks", "Conversions", "Payout", "Revenue", "Profit", "EPC"):
        assert_on_screen(page, row.locator(f'td[data-label="{label}"]'))
    expect(row.locator('td[data-label="Profit"]')).to_contain_text("75.00")
    both_widths(page, screenshot, "report")

    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/manage/")
    today = page.locator("table.periods tbody tr").first
    for label in ("Clicks", "Revenue", "Payout", "Profit"):
        assert_on_screen(page, today.locator(f'td[data-label="{label}"]'))
    both_widths(page, screenshot, "manager-dashboard")

    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/manage/offers/{world['offer'].pk}/")
    assert_on_screen(page, page.locator('table.periods tbody tr td[data-label="Profit"]').first)
    both_widths(page, screenshot, "offer-detail")


def test_the_affiliate_dashboard_shows_earnings_and_epc_on_a_phone(page, live_server, world, screenshot):
    session_for(page, live_server, world["affiliate_user"])
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/affiliate/")
    today = page.locator("table.periods tbody tr").first
    assert_on_screen(page, today.locator('td[data-label="Earnings"]'))
    assert_on_screen(page, today.locator('td[data-label="EPC"]'))
    both_widths(page, screenshot, "affiliate-dashboard")


def chart_facts(page):
    page.wait_for_function("window.Chart && window.Chart.getChart(document.getElementById('report-chart'))")
    return page.evaluate(
        """() => {
          const chart = window.Chart.getChart(document.getElementById('report-chart'));
          return {
            tension: chart.data.datasets[1].tension,
            clicks: chart.scales.clicks.ticks.map(t => t.value),
            conversions: chart.scales.conversions.ticks.map(t => t.value),
          };
        }"""
    )


def test_charts_draw_straight_lines_on_whole_number_axes(page, live_server, world):
    session_for(page, live_server, world["manager"])
    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server.url}/manage/reports/?preset=custom&date_from=2020-01-01&date_to=2020-01-31")
    empty = chart_facts(page)
    assert empty["tension"] == 0
    assert empty["clicks"][0] == 0 and empty["conversions"][0] == 0
    assert all(float(value).is_integer() for value in empty["clicks"] + empty["conversions"]), empty
    page.goto(f"{live_server.url}/manage/")
    full = chart_facts(page)
    assert full["tension"] == 0
    assert all(float(value).is_integer() for value in full["clicks"] + full["conversions"]), full


def test_the_conversion_list_is_compact_sortable_and_has_its_bulk_actions_on_top(page, live_server, world, screenshot):
    session_for(page, live_server, world["manager"])
    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server.url}/manage/conversions/")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(30)
    heights = [rows.nth(index).bounding_box()["height"] for index in range(30)]
    assert max(heights) < 48, heights  # one line per row, however long the names
    apply = page.get_by_role("button", name="Apply to ticked")
    assert apply.bounding_box()["y"] < rows.first.bounding_box()["y"]
    expect(page.locator(".pager")).to_contain_text("Rows 1–30 of 30")
    screenshot(page, "usability-conversions-1366")

    page.get_by_role("link", name=re.compile(r"^Amount")).click()
    expect(page).to_have_url(re.compile(r"ordering=-amount"))
    expect(rows.first.locator("td").nth(7)).to_have_text("39.00 EUR")
    page.get_by_role("link", name=re.compile(r"^Amount")).click()
    expect(page).to_have_url(re.compile(r"ordering=amount"))
    expect(rows.first.locator("td").nth(7)).to_have_text("10.00 EUR")

    # Ticking rows far down the page: the bulk bar is still in reach (it sticks to the top while the rows scroll).
    rows.nth(25).locator("input[type=checkbox]").check()
    box = apply.bounding_box()
    assert 0 <= box["y"] <= page.viewport_size["height"], box
    page.set_viewport_size(PHONE)
    screenshot(page, "usability-conversions-390")

    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server.url}/manage/clicks/")
    expect(page.get_by_role("link", name="Export CSV")).to_have_attribute("href", "/manage/clicks/csv/")
    both_widths(page, screenshot, "clicks")
    page.goto(f"{live_server.url}/manage/postbacks/")
    both_widths(page, screenshot, "postbacks")


def test_keyboard_users_get_a_skip_link_and_a_visible_focus_on_the_top_bar(page, live_server, world, screenshot):
    session_for(page, live_server, world["manager"])
    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server.url}/manage/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box["y"] >= 0, box  # on screen once focused
    screenshot(page, "usability-skip-link-1366")
    page.keyboard.press("Tab")
    brand = page.locator(".topbar .brand")
    expect(brand).to_be_focused()
    outline = brand.evaluate(
        "el => { const s = getComputedStyle(el); return [s.outlineStyle, s.outlineWidth, s.outlineColor]; }"
    )
    assert outline == ["solid", "3px", "rgb(255, 255, 255)"], outline
    page.keyboard.press("Tab")
    screenshot(page, "usability-focus-1366")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.locator("main#content")).to_be_focused()


def test_a_field_with_an_error_is_marked_beyond_red_text(page, live_server, world, screenshot):
    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server.url}/signup/")
    expect(page.get_by_role("link", name="Read the terms and conditions")).to_have_attribute("href", "/terms/")
    page.get_by_role("button", name="Apply").click()
    company = page.locator("#id_company")
    expect(company).to_have_attribute("aria-invalid", "true")
    style = company.evaluate("el => { const s = getComputedStyle(el); return [s.borderTopColor, s.borderTopWidth]; }")
    assert style == ["rgb(180, 35, 24)", "2px"], style
    both_widths(page, screenshot, "signup-errors")
    page.goto(f"{live_server.url}/terms/")
    expect(page.get_by_role("heading", name="Terms and conditions")).to_be_visible()
    both_widths(page, screenshot, "terms")


def test_the_offer_form_shows_whole_payout_types_and_no_delete_on_the_empty_goal(page, live_server, world, screenshot):
    session_for(page, live_server, world["manager"])
    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server.url}/manage/offers/{world['offer'].pk}/edit/")
    expect(page.locator("#id_goals-0-DELETE")).to_have_count(1)
    expect(page.locator("#id_goals-1-DELETE")).to_have_count(0)
    for size in (LAPTOP, PHONE):
        page.set_viewport_size(size)
        for select in ("#id_goals-1-payout_type", "#id_goals-1-revenue_type", "#id_payout_type"):
            fits = page.locator(select).evaluate(
                """el => {
                  const probe = document.createElement('span');
                  probe.style.font = getComputedStyle(el).font;
                  probe.textContent = el.options[el.selectedIndex].text;
                  document.body.appendChild(probe);
                  const needed = probe.getBoundingClientRect().width;
                  probe.remove();
                  return el.clientWidth - needed;
                }"""
            )
            assert fits > 40, (select, size, fits)  # room for the text, the padding and the arrow
    both_widths(page, screenshot, "offer-form")
