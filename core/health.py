"""GET /healthz and /readyz, for a load balancer or an orchestrator (README, Operations).

/healthz is liveness: the process answers, with no database work. /readyz is readiness: the database (`SELECT 1`),
the cache (a value set and read back) and the Celery broker (a connection opened) each answer within
TALLY_READINESS_TIMEOUT seconds; otherwise 503 naming the parts that failed. The checks run side by side in
threads of their own, so one that hangs costs the timeout, not more. Neither endpoint needs a login, is rate
limited or logs each request (a failing part is logged, at WARNING), and neither says more than "ok" or
"failed"/"timeout" per part: no versions, host names or settings. Both take the short lane (config/hotpaths.py).
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.http import require_safe
from kombu import Connection

from core.logs import new_request_id
from core.sql import database_ping

logger = logging.getLogger(__name__)


@require_safe
def healthz(request):
    return JsonResponse({"status": "ok"})


def check_database():
    try:
        database_ping()
    finally:
        connections.close_all()  # this thread's own connection: the thread ends now


def check_cache():
    cache, key, value = caches["default"], "tally:readyz", new_request_id()
    cache.set(key, value, timeout=60)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not give back the value just set")


def check_broker():
    timeout = settings.TALLY_READINESS_TIMEOUT
    options = dict(settings.CELERY_BROKER_TRANSPORT_OPTIONS or {}, max_retries=0)
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=timeout, transport_options=options) as connection:
        # One attempt, no retry loop (connect() waits and tries again); Redis is reached only once a channel opens.
        connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)
        connection.channel().close()


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker}


def readiness(timeout=None):
    """{part: "ok" | "failed" | "timeout"} for each of CHECKS, run side by side, within `timeout` seconds."""
    timeout = settings.TALLY_READINESS_TIMEOUT if timeout is None else timeout
    results = {}

    def run(name, check):
        try:
            check()
        except Exception:
            logger.warning("readiness: %s failed", name, exc_info=True)
            results[name] = "failed"
        else:
            results[name] = "ok"

    threads = [
        threading.Thread(target=run, args=item, daemon=True, name=f"readyz-{item[0]}") for item in CHECKS.items()
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    states = {name: results.get(name, "timeout") for name in CHECKS}
    for name, state in states.items():
        if state == "timeout":
            logger.warning("readiness: %s did not answer within %s s", name, timeout)
    return states


@require_safe
def readyz(request):
    checks = readiness()
    failing = [name for name, state in checks.items() if state != "ok"]
    body = {"status": "unavailable" if failing else "ok", "checks": checks}
    if failing:
        body["failing"] = failing
    return JsonResponse(body, status=503 if failing else 200)
