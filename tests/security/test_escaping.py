"""Hostile values render escaped on every page: names, sub IDs, user agent, referer, adv_subs, postback parameters
and errors filled with markup (tests.security.matrix.make_hostile), and hostile query parameters echoed by filter
bars, never reach a page as markup. Every page each role may open (from the permission matrix), as the browser
asks for it (Accept: text/html, so the API answers with its browsable HTML). The browser test
(tests/e2e/test_hostile_values.py) opens the same pages in Chromium and fails on any dialog."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from tests.security.matrix import HOSTILE_TEMPLATES, act_as, make_hostile, routes
from tests.security.test_permission_matrix import EXPECTED, ROLES, _path

pytestmark = pytest.mark.django_db

# Query parameters the pages read (filters, search, previews, redirects), each given hostile markup.
REFLECTED = {
    name: HOSTILE_TEMPLATES[i % len(HOSTILE_TEMPLATES)].format(n=f"q{i}")
    for i, name in enumerate(
        ["q", "offer", "affiliate", "advertiser", "status", "aff_sub", "transaction_id", "template", "next", "sort"]
        + ["date_from", "group_by", "preset", "reason", "source"]
    )
}


def pages(world, role):
    """Paths of every page `role` may GET (200 in the matrix), objects of side a; parameterless pages twice, the
    second time with REFLECTED in the query string."""
    column = ROLES.index(role)
    found = []
    for route in routes():
        spec = EXPECTED.get(route.key)
        if spec is None or "[format]" in route.key or spec["a"]["GET"].split()[column] != "200":
            continue
        path = _path(world, route, "a")
        found.append(path)
        if not route.kwargs:
            found.append(f"{path}?{urlencode(REFLECTED)}")
    if role == "manager":
        found.append(reverse("manager:offer_preview") + "?" + urlencode({"template": REFLECTED["template"]}))
    return found


def html_of(response):
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode()


@pytest.fixture(scope="module")
def planted(world, django_db_blocker):
    with django_db_blocker.unblock():
        return make_hostile(world)


@pytest.mark.parametrize("role", ROLES)
def test_no_page_prints_a_hostile_value_as_markup(client, world, planted, role):
    act_as(client, world, role)
    hostile = {**planted, **{value: f"?{name}=" for name, value in REFLECTED.items()}}
    leaks, html_pages = [], 0
    for path in pages(world, role):
        response = client.get(path, HTTP_ACCEPT="text/html")
        assert response.status_code in (200, 400, 406), path  # 400: a refused filter; 406: the schema is not HTML
        if not response["Content-Type"].startswith("text/html"):
            continue  # CSV exports: not markup; their own tests check formula escaping
        html_pages += 1
        body = html_of(response)
        leaks += [(path, where) for payload, where in hostile.items() if payload in body]
    assert html_pages >= 4
    assert leaks == []


def test_the_hostile_values_are_on_the_pages_escaped(client, world, planted):
    """The check above can fail: the values are really shown (escaped) on the pages it reads."""
    act_as(client, world, "manager")
    body = html_of(client.get(f"/manage/clicks/{world.click_a.transaction_id}/"))

    escaped = [payload.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") for payload in planted]
    assert sum(1 for text in escaped if text.replace('"', "&quot;").replace("'", "&#x27;") in body) >= 5


def test_the_report_api_opens_in_a_browser(client, world):
    act_as(client, world, "manager")

    assert client.get("/api/v1/reports/", HTTP_ACCEPT="text/html").status_code == 200
