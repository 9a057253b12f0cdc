"""Log lines: plain or JSON (TALLY_LOG_FORMAT), each with the request ID of the web request (core/logs.py)."""

import io
import json
import logging
import subprocess
import sys

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from core import logs
from tests.operations.serve import BASE_DIR


@pytest.fixture
def captured():
    """The lines a handler formatted as TALLY_LOG_FORMAT=json formats them, for the logger `tally.test`."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    handler.addFilter(logs.RequestIdFilter())
    logger = logging.getLogger("tally.test")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield logger, stream
    logger.removeHandler(handler)


def view_that_logs(logger):
    def view(request):
        logger.warning("postback refused: %s", "invalid_token")
        return HttpResponse("ok")

    return view


def test_a_line_logged_during_a_request_carries_the_callers_request_id_as_json(captured):
    logger, stream = captured
    middleware = logs.request_id_middleware(view_that_logs(logger))

    response = middleware(RequestFactory().get("/postback", HTTP_X_REQUEST_ID="lb-7f3a.1"))

    line = json.loads(stream.getvalue())
    assert response["X-Request-ID"] == "lb-7f3a.1"
    assert line["request_id"] == "lb-7f3a.1"
    assert (line["level"], line["logger"], line["message"]) == (
        "WARNING",
        "tally.test",
        "postback refused: invalid_token",
    )
    assert line["time"].endswith("+00:00")


def test_a_request_id_that_could_forge_log_lines_is_replaced_by_a_fresh_one(captured):
    logger, stream = captured
    middleware = logs.request_id_middleware(view_that_logs(logger))

    response = middleware(RequestFactory().get("/click", HTTP_X_REQUEST_ID="x\nINFO fake line"))

    line = json.loads(stream.getvalue())
    assert line["request_id"] == response["X-Request-ID"]
    assert len(line["request_id"]) == 16 and "\n" not in line["request_id"]


def test_outside_a_request_the_id_is_a_dash_and_is_not_left_over_from_the_last_request(captured):
    logger, stream = captured
    logs.request_id_middleware(view_that_logs(logger))(RequestFactory().get("/", HTTP_X_REQUEST_ID="first"))
    logger.warning("between requests")
    assert json.loads(stream.getvalue().splitlines()[-1])["request_id"] == "-"


@pytest.mark.parametrize(("log_format", "looks_like"), [("json", '{"time": '), ("plain", " WARNING tally.check [-] ")])
def test_the_setting_chooses_the_format_of_every_line(log_format, looks_like):
    script = "import django, logging; django.setup(); logging.getLogger('tally.check').warning('hello')"
    result = subprocess.run(  # noqa: S603 -- our own interpreter
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env={"DJANGO_SETTINGS_MODULE": "config.settings", "TALLY_LOG_FORMAT": log_format, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert looks_like in result.stderr
    assert "hello" in result.stderr


def test_an_unknown_log_format_stops_tally_at_start():
    result = subprocess.run(  # noqa: S603 -- our own interpreter
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=BASE_DIR,
        env={"DJANGO_SETTINGS_MODULE": "config.settings", "TALLY_LOG_FORMAT": "xml", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "TALLY_LOG_FORMAT must be plain or json" in result.stderr
