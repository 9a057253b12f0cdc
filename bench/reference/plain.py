"""R without Django, for `bench/run.py --ceiling`: a plain WSGI function that stores the same row as R (one
prepared INSERT through psycopg, a connection per thread) and answers the same 302.

Not a design for Tally: it measures how much of R's cost is Django's request, response and ORM machinery, and so
how fast a click endpoint outside them could go on this machine (README, Performance).
"""

import os
import secrets
import threading
from datetime import UTC, datetime
from urllib.parse import parse_qsl

import psycopg

INSERT = "INSERT INTO reference_hit (offer_id, aff_id, transaction_id, created_at) VALUES (%s, %s, %s, %s)"
_local = threading.local()


def _connection():
    if getattr(_local, "connection", None) is None:
        _local.connection = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True, prepare_threshold=0)
    return _local.connection


def application(environ, start_response):
    params = dict(parse_qsl(environ.get("QUERY_STRING", "")))
    try:
        offer_id, aff_id = int(params["offer_id"]), int(params["aff_id"])
    except (KeyError, ValueError):
        body = b"offer_id and aff_id"
        start_response("400 Bad Request", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]
    transaction_id = secrets.token_hex(16)
    _connection().execute(INSERT, (offer_id, aff_id, transaction_id, datetime.now(UTC)))
    location = f"https://shop.example/landing?tid={transaction_id}"
    start_response("302 Found", [("Location", location), ("Content-Length", "0")])
    return [b""]
