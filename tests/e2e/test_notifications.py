"""The inbox in each portal and scheduling a report, in Chromium: the unread count in the navigation, opening an
entry (it is marked read and the page it points to opens), mark all read, the settings page; and "Schedule this
report" on a report page, listed, then deleted. Screenshots at 1366 and 390 px: screenshots/notifications-*.png."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from notifications.models import Channel, Kind, Notification, Preference
from reports.models import ReportSchedule
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = {"1366": {"width": 1366, "height": 900}, "390": {"width": 390, "height": 844}}


def sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


def both_widths(page, screenshot, name):
    for label, size in WIDTHS.items():
        page.set_viewport_size(size)
        page.wait_for_timeout(300)  # the report's chart redraws at the new width
        screenshot(page, f"notifications-{name}-{label}")
    page.set_viewport_size(WIDTHS["1366"])


def audience_user(audience):
    if audience == "manager":
        return factories.ManagerFactory(username="nina"), "/manage", Kind.ACCESS_REQUESTED
    if audience == "affiliate":
        user = factories.MembershipFactory(affiliate=factories.AffiliateFactory(name="Blue Coupons")).user
        return user, "/affiliate", Kind.OFFER_NEW
    user = factories.MembershipFactory(advertiser=factories.AdvertiserFactory(name="Acme")).user
    return user, "/advertiser", Kind.INTEGRATION_TEST


@pytest.mark.parametrize("audience", ["manager", "affiliate", "advertiser"])
def test_the_inbox_counts_opens_and_marks_read(page, live_server, screenshot, audience):
    user, prefix, kind = audience_user(audience)
    report = f"{prefix}/reports/"
    titles = [
        "Deal Hunters asks to run the Acme International Shopping Network – Spring Mega Sale offer",
        "Acme Store Sales is at 80 % of its daily cap (80 of 100)",
        "A third thing happened",
    ]
    for n, title in enumerate(titles):
        Notification.objects.create(
            recipient=user, event_key=f"e2e:{n}", kind=kind, title=title, body="Details of it.", link=report
        )
    sign_in(page, live_server, user)

    page.goto(live_server.url + f"{prefix}/reports/")
    badge = page.locator("header [data-unread]")
    expect(badge).to_have_text("3")
    page.get_by_role("link", name="Inbox").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    expect(page.locator("article.unread")).to_have_count(3)
    both_widths(page, screenshot, f"inbox-{audience}")

    page.locator("article", has_text="A third thing").get_by_role("button", name="Open").click()
    expect(page).to_have_url(live_server.url + report)
    expect(page.locator("header [data-unread]")).to_have_text("2")

    page.goto(live_server.url + f"{prefix}/inbox/")
    page.get_by_role("button", name="Mark all read").click()
    expect(page.get_by_text("2 notifications marked read.")).to_be_visible()
    expect(page.locator("header [data-unread]")).to_have_count(0)
    assert not Notification.objects.filter(read_at__isnull=True).exists()

    page.get_by_role("link", name="Settings").click()
    page.get_by_label(Kind(kind).label).select_option(Channel.EMAIL.value)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Notification settings saved.")).to_be_visible()
    assert Preference.objects.get(user=user, kind=kind).channel == Channel.EMAIL
    both_widths(page, screenshot, f"settings-{audience}")


def test_an_affiliate_schedules_its_report_then_deletes_it(page, live_server, screenshot):
    user, prefix, _ = audience_user("affiliate")
    sign_in(page, live_server, user)
    page.goto(live_server.url + f"{prefix}/reports/?group_by=offer&preset=yesterday")

    page.get_by_text("Schedule this report").click()
    page.get_by_label("Name").fill("Yesterday by offer")
    page.get_by_label("E-mail it").select_option("daily")
    both_widths(page, screenshot, "schedule-form")
    page.get_by_role("button", name="Schedule", exact=True).click()

    expect(page.get_by_role("heading", name="Scheduled reports")).to_be_visible()
    row = page.locator("tr", has_text="Yesterday by offer")
    expect(row).to_contain_text("Every day")
    schedule = ReportSchedule.objects.get()
    assert (schedule.owner, schedule.query, schedule.frequency) == (user, "group_by=offer&preset=yesterday", "daily")
    both_widths(page, screenshot, "schedule-list")

    row.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("No scheduled reports yet.")).to_be_visible()
    assert not ReportSchedule.objects.exists()
