"""Calling a WSGI application as a server does (one request, the answer read and closed), for the tests of the
WSGI entry point and the hot paths' short lane (config/hotpaths.py)."""

import io

from django.core.signals import request_finished, request_started
from django.db import close_old_connections


def wsgi_call(app, path, method="GET", **extra):
    """(status, headers, body) of one request; `extra` adds to or replaces the environ (QUERY_STRING, HTTP_*)."""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "198.51.100.23",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
        **extra,
    }
    answer = {}

    def start_response(status, headers):
        answer["status"], answer["headers"] = int(status[:3]), dict(headers)

    # As Django's test client does: the test's transaction must not be closed as an "old" connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = app(environ, start_response)
        body = b"".join(response)
        response.close()  # as a WSGI server does once the answer is sent
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return answer["status"], answer["headers"], body
