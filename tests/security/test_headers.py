"""Security headers: a strict Content-Security-Policy on every page (Swagger UI's page allows itself inline styles
and data: images, DRF's browsable API inline styles, nothing more), Referrer-Policy and X-Content-Type-Options; and
templates the policy needs."""

import re
from pathlib import Path

import pytest

from tests import factories

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def directives(response):
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.fixture
def signed_in_pages(client):
    """A page of each kind: public, manager, affiliate, advertiser (each seen by its own user), and the API."""
    affiliate = factories.MembershipFactory(affiliate=factories.AffiliateFactory()).user
    advertiser = factories.MembershipFactory(advertiser=factories.AdvertiserFactory()).user
    manager = factories.ManagerFactory()
    return [
        (None, "/login/"),
        (None, "/signup/"),
        (manager, "/manage/"),
        (manager, "/manage/reports/"),
        (affiliate, "/affiliate/"),
        (advertiser, "/advertiser/"),
        (None, "/no-such-page/"),
    ]


def test_every_page_has_a_strict_content_security_policy_and_the_other_headers(client, signed_in_pages):
    for user, path in signed_in_pages:
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(path, HTTP_ACCEPT="text/html")
        policy = directives(response)
        assert policy["script-src"] == ["'self'"], path
        assert policy["style-src"] == ["'self'"], path
        assert policy["default-src"] == ["'self'"], path
        assert policy["object-src"] == ["'none'"], path
        assert policy["frame-ancestors"] == ["'none'"], path
        assert policy["base-uri"] == ["'none'"], path
        assert response["Referrer-Policy"] == "same-origin", path
        assert response["X-Content-Type-Options"] == "nosniff", path


def test_the_browsable_api_may_only_add_inline_styles(client):
    client.force_login(factories.ManagerFactory())
    response = client.get("/api/v1/offers/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    policy = directives(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["img-src"] == ["'self'"]
    assert "Content-Security-Policy" in client.get("/api/v1/offers/", HTTP_ACCEPT="application/json")


def test_swagger_ui_loads_its_start_up_script_from_a_url_and_may_only_add_inline_styles_and_data_images(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert re.search(rb"<script>\s*\S", page.content) is None  # no inline script
    policy = directives(page)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["img-src"] == ["'self'", "data:"]
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_has_inline_script_event_handlers_or_style_attributes(template):
    html = template.read_text()
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None, "inline <script>: move it to static/js/"
    assert re.search(r"\son[a-z]+\s*=", html) is None, "on* handler: use addEventListener in static/js/"
    assert re.search(r"\sstyle\s*=", html) is None, "style attribute: use a class in static/css/"
    assert "<style" not in html, "<style> block: use a stylesheet in static/css/"
    assert "javascript:" not in html.lower()
