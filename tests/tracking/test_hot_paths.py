"""The WSGI entry point (config/wsgi.py) sends the click and postback endpoints through a short middleware lane."""

import io
from urllib.parse import urlencode

import pytest
from django.core.signals import request_started
from django.db import close_old_connections

from config.wsgi import application
from conversions.models import Conversion, PostbackLog
from tests.factories import SECURITY_TOKEN
from tracking.models import Click

pytestmark = pytest.mark.django_db


@pytest.fixture
def wsgi_get():
    """GET through the real WSGI application, as gunicorn calls it; returns (status, headers, body)."""

    def get(path, params=None):
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": urlencode(params or {}),
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "HTTP_HOST": "testserver",
            "REMOTE_ADDR": "198.51.100.23",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.url_scheme": "http",
        }
        answer = {}

        def start_response(status, headers):
            answer["status"], answer["headers"] = int(status[:3]), dict(headers)

        # As Django's test client does: the test's transaction must not be closed as an "old" connection.
        request_started.disconnect(close_old_connections)
        try:
            body = b"".join(application(environ, start_response))
        finally:
            request_started.connect(close_old_connections)
        return answer["status"], answer["headers"], body

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
