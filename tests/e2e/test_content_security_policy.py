"""The Content-Security-Policy breaks no page: Chromium opens every page each role may open, and Swagger UI, and
reports no violation of the policy (an inline script, style or handler would be one)."""

import pytest

from tests.e2e.test_hostile_values import browser_pages, hostile_world  # noqa: F401 -- the fixture

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("role", ["anonymous", "affiliate_a", "advertiser", "manager"])
def test_no_page_violates_the_content_security_policy(browser, live_server, hostile_world, settings, role):  # noqa: F811
    context = browser.new_context()
    if hostile_world.sessions[role]:
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": hostile_world.sessions[role], "url": live_server.url}]
        )
    page = context.new_page()
    violations = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and violations.append((page.url, message.text)),
    )
    paths = [*browser_pages(hostile_world, role), "/api/docs/"]
    try:
        for path in paths:
            page.goto(live_server.url + path, wait_until="load")
        page.goto(live_server.url + "/api/docs/", wait_until="networkidle")
        page.wait_for_selector(".swagger-ui .info", timeout=10_000)  # Swagger UI started: its script ran
    finally:
        context.close()
    assert violations == []
