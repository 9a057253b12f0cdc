"""Prometheus metrics of the hot paths (README, Operations): defined here, counted by the click and postback views.

Counting is an increment in memory (or, in multiprocess mode, in a memory-mapped file): no database work, no lock
shared between processes. With several worker processes (gunicorn), set PROMETHEUS_MULTIPROC_DIR to an empty
folder of the web server's own before it starts (emptied at each start): every process writes its counts there and
a scrape sums them, so /metrics answers for all of them whichever process it reaches. Without it each process
counts alone (fine for `make run`). Values that live in the database (the outbox, rollups, beat tasks) are read
when /metrics is scraped (operations.metrics), never counted on a request.
"""

import functools
import hmac
import ipaddress
import os
from time import perf_counter

from django.conf import settings
from django.http import HttpResponse
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess

from core.http import client_ip

# The classic text format, which every Prometheus version reads (generate_latest writes it).
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Request time of the hot endpoints, in seconds: buckets from 1 ms to 2.5 s.
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)

CLICKS_STORED = Counter("tally_clicks_stored", "Clicks stored (a 302 to the landing page with a transaction ID).")
CLICKS_REFUSED = Counter(
    "tally_clicks_refused",
    "Click requests that stored no click, by reason (rate_limited, bad_link, not_found, affiliate_inactive, "
    "not_allowed, offer_paused, database_down; traffic quality: blocked, bot, geo, device).",
    ["reason"],
)
POSTBACKS = Counter(
    "tally_postbacks",
    "Postbacks answered, by status (approved, pending, rejected) and reason code (docs/reason-codes.md; none when "
    "accepted, rate_limited before any rule).",
    ["status", "reason"],
)
CLICK_SECONDS = Histogram("tally_click_duration_seconds", "Time to answer GET /click, /aff_c.", buckets=_BUCKETS)
POSTBACK_SECONDS = Histogram(
    "tally_postback_duration_seconds", "Time to answer /postback, /aff_lsr, /aff_goal.", buckets=_BUCKETS
)


def click_refused(reason, response):
    """Count a click request that stored nothing; returns the response, so a view says `return click_refused(...)`."""
    CLICKS_REFUSED.labels(reason).inc()
    return response


def postback_counted(status, reason):
    POSTBACKS.labels(status, reason or "none").inc()


def timed(histogram):
    """Decorate a view (or the function behind several) to observe its run time in `histogram`."""

    def decorate(function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            start = perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                histogram.observe(perf_counter() - start)

        return wrapper

    return decorate


# --- Exposition -------------------------------------------------------------------------------------------------


def metrics_allowed(request):
    """Whether this request may read /metrics: a bearer token equal to TALLY_METRICS_TOKEN (when set), or a client
    address (core.http.client_ip) inside TALLY_METRICS_ALLOW (loopback by default)."""
    token = settings.TALLY_METRICS_TOKEN
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
            return True
    ip = client_ip(request)
    if ip is None:
        return False
    address = ipaddress.ip_address(ip)
    return any(address in ipaddress.ip_network(net, strict=False) for net in settings.TALLY_METRICS_ALLOW)


def exposition(*collectors):
    """The Prometheus text of this module's metrics (every process's, in multiprocess mode) and of `collectors`
    (objects with a collect() method, read now)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    text = generate_latest(registry)
    if collectors:
        extra = CollectorRegistry(auto_describe=False)
        for collector in collectors:
            extra.register(collector)
        text += generate_latest(extra)
    return text


def metrics_response(*collectors):
    return HttpResponse(exposition(*collectors), content_type=CONTENT_TYPE)
