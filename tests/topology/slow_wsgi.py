"""Tally's WSGI app behind a delay of ?<seconds>, answering /healthz: a request still in flight when Granian is told
to stop (tests/topology)."""

import time

from config.wsgi import application as tally


def application(environ, start_response):
    time.sleep(float(environ.get("QUERY_STRING") or 0))
    return tally({**environ, "PATH_INFO": "/healthz", "QUERY_STRING": ""}, start_response)
