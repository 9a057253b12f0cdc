"""What the hot paths' short lane (config/hotpaths.py) keeps of Django's handler while it skips URL resolving and
the middleware chain: the request signals, the request ID, SecurityMiddleware, 500 pages with a logged traceback,
HEAD."""

import logging

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import request_finished, request_started
from django.test import override_settings

from config.hotpaths import HotLane
from config.wsgi import application
from core.logs import RequestIdFilter
from tests.wsgi_client import wsgi_call as call


def test_the_request_signals_are_sent_so_old_or_broken_connections_are_closed():
    sent = []

    def started(sender, **kwargs):
        sent.append("started")

    def finished(sender, **kwargs):
        sent.append("finished")

    request_started.connect(started)
    request_finished.connect(finished)
    try:
        status, _, _ = call(application, "/healthz")
    finally:
        request_started.disconnect(started)
        request_finished.disconnect(finished)

    assert status == 200
    assert sent == ["started", "finished"]


def test_head_gets_the_headers_of_a_get_and_no_body():
    _, get_headers, get_body = call(application, "/healthz")
    status, headers, body = call(application, "/healthz", method="HEAD")

    assert status == 200
    assert get_body
    assert body == b""
    assert headers["Content-Length"] == get_headers["Content-Length"] == str(len(get_body))


def test_the_request_id_and_security_headers_are_on_every_answer():
    status, headers, _ = call(application, "/healthz", HTTP_X_REQUEST_ID="probe-42")

    assert status == 200
    assert headers["X-Request-ID"] == "probe-42"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_a_view_that_fails_answers_500_and_logs_the_traceback_with_the_request_id(caplog):
    lane = HotLane(application.application)

    def broken(request):
        raise RuntimeError("the view broke")

    lane.views["/healthz"] = (lane.views["/healthz"][0], broken)

    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.ERROR, logger="django.request"):
        status, headers, _ = call(lane, "/healthz", HTTP_X_REQUEST_ID="failing-1")

    assert status == 500
    assert headers["X-Request-ID"] == "failing-1"
    assert headers["X-Content-Type-Options"] == "nosniff"
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.exc_info[1].args == ("the view broke",)
    assert record.request_id == "failing-1"


@override_settings(SECURE_SSL_REDIRECT=True)
def test_https_redirect_applies_to_the_hot_paths_too():
    lane = HotLane(application.application)

    status, headers, _ = call(lane, "/click", QUERY_STRING="offer_id=1&aff_id=2")

    assert status == 301
    assert headers["Location"] == "https://testserver/click?offer_id=1&aff_id=2"


@pytest.mark.parametrize("setting", [{"PREPEND_WWW": True}, {"DISALLOWED_USER_AGENTS": ["bot"]}])
def test_settings_only_common_middleware_would_honour_stop_the_lane_at_start(setting):
    with override_settings(**setting), pytest.raises(ImproperlyConfigured):
        HotLane(application.application)
