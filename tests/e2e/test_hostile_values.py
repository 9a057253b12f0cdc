"""Stored and reflected XSS in a real browser: with hostile markup in every free-text value (names, sub IDs, user
agent, referer, adv_subs, postback parameters, errors; tests.security.matrix.make_hostile) and in the query string,
Chromium opens every page each role may open (the permission matrix's list) and no script runs: any alert(),
confirm() or prompt() dialog fails the test. tests/security/test_escaping.py checks the same pages' HTML."""

import pytest

from tests.security.matrix import World, make_hostile, open_sessions
from tests.security.test_escaping import pages

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def hostile_world(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = World()
    make_hostile(world)
    open_sessions(world)
    return world


def browser_pages(world, role):
    """The HTML pages of test_escaping.pages (a CSV or PDF export or the schema would be a download, not a page)."""
    downloads = ("/csv/", "/pdf/")
    return [
        path
        for path in pages(world, role)
        if not any(part in path for part in downloads) and not path.startswith("/api/schema/")
    ]


@pytest.mark.parametrize("role", ["anonymous", "affiliate_a", "advertiser", "manager"])
def test_no_hostile_value_runs_script_in_the_browser(browser, live_server, hostile_world, settings, role):
    context = browser.new_context()
    if hostile_world.sessions[role]:
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": hostile_world.sessions[role], "url": live_server.url}]
        )
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append((page.url, dialog.message)), dialog.dismiss()))
    visited = 0
    try:
        for path in browser_pages(hostile_world, role):
            response = page.goto(live_server.url + path, wait_until="load")
            assert response is not None and response.status < 500, path
            signed_in = role == "anonymous" or path.startswith("/login/") or "/login/" not in page.url
            assert signed_in, f"{role} was sent to sign in from {path}"
            visited += 1
    finally:
        context.close()

    assert visited >= 4
    assert dialogs == []


def test_the_browser_would_catch_a_script_that_runs(browser):
    """The dialog check can fail: a page that does print markup raw opens a dialog."""
    context = browser.new_context()
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.set_content("<p>\"><img src=x onerror=alert('xss-raw')></p>")
    page.wait_for_timeout(200)
    context.close()

    assert dialogs == ["xss-raw"]
