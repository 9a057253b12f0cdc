"""The WSGI entry point (config/wsgi.py) sends the click and postback endpoints through a short middleware lane."""

from urllib.parse import urlencode

import pytest

from config.wsgi import application
from conversions.models import Conversion, PostbackLog
from tests.factories import SECURITY_TOKEN
from tests.wsgi_client import wsgi_call
from tracking.models import Click

pytestmark = pytest.mark.django_db


@pytest.fixture
def wsgi_get():
    """GET through the real WSGI application, as gunicorn calls it; returns (status, headers, body)."""

    def get(path, params=None):
        return wsgi_call(application, path, QUERY_STRING=urlencode(params or {}))

    return get


def test_a_click_through_the_wsgi_entry_point_is_stored_and_redirected_without_portal_middleware(
    wsgi_get, offer, affiliate
):
    status, headers, _ = wsgi_get("/click", {"offer_id": offer.pk, "aff_id": affiliate.pk, "aff_sub": "x"})

    click = Click.objects.get()
    assert status == 302
    assert headers["Location"] == f"https://shop.example/landing?tid={click.transaction_id}&sub=x"
    # SecurityMiddleware still answers; the session, CSRF and clickjacking middleware never ran.
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "X-Frame-Options" not in headers
    assert "Set-Cookie" not in headers


def test_a_postback_through_the_wsgi_entry_point_records_a_conversion(wsgi_get, click):
    status, headers, body = wsgi_get(
        "/postback", {"transaction_id": click.transaction_id, "amount": "10", "security_token": SECURITY_TOKEN}
    )

    assert status == 200
    assert headers["Content-Length"] == str(len(body))
    assert Conversion.objects.get().click == click
    assert PostbackLog.objects.get().reason == ""


def test_portal_paths_still_take_the_full_middleware_stack(wsgi_get):
    status, headers, _ = wsgi_get("/admin/login/")

    assert status == 200
    assert headers["X-Frame-Options"] == "DENY"
    assert "csrftoken" in headers.get("Set-Cookie", "")
