"""Report and list pages read from a streaming replica when DATABASE_REPLICA_URL names one (README, Production).

A Django router sees only the model, not who asks, so the pages that may read slightly old rows say so:
`ReplicaReadsMixin` (on reports.views.ReportView and core.listing.FilteredListView) sets a context variable for a
GET while the view runs and its template renders, and `ReplicaRouter` sends reads to the replica only while it is
set. Everything else reads from and writes to the default database: every write, every form, the click and the
postback (whose lookup, core.sql.JoinedLookup, uses the default connection by name anyway).

Read-after-write: a browser that just wrote (a POST, say, then the redirect to a list) reads from the primary for
TALLY_REPLICA_PIN_SECONDS after it, whatever the replica's lag: `primary_after_write_middleware` sets a cookie on
the answer to every write. The cookie only ever sends its holder to the primary, so it needs no signature.
"""

import contextlib
import contextvars
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
PIN_COOKIE = "tally_primary_until"

_replica_reads = contextvars.ContextVar("tally_replica_reads", default=False)


def replica_configured():
    return REPLICA in connections.settings


@contextlib.contextmanager
def replica_reads():
    """Reads inside go to the replica (when one is configured)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


class ReplicaRouter:
    """Reads to the replica only inside replica_reads(); writes, migrations and all other reads to default."""

    def db_for_read(self, model, **hints):
        if _replica_reads.get() and replica_configured():
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the very same rows: an object read there may point at one read from default.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def pinned_to_primary(request):
    """Whether this browser wrote within the last TALLY_REPLICA_PIN_SECONDS (the cookie's time has not passed)."""
    try:
        return float(request.COOKIES.get(PIN_COOKIE, "0")) > time.time()
    except ValueError:
        return False


class ReplicaReadsMixin:
    """A GET or HEAD of this view reads from the replica, template rendering included, unless the browser is pinned
    to the primary. A streamed answer (a CSV export) is read after the view returns, hence from the primary."""

    def dispatch(self, request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or not replica_configured() or pinned_to_primary(request):
            return super().dispatch(request, *args, **kwargs)
        with replica_reads():
            response = super().dispatch(request, *args, **kwargs)
            # A TemplateResponse renders after the view returns, outside this block: render it here.
            if hasattr(response, "render") and callable(response.render) and not response.is_rendered:
                response.render()
        return response


def primary_after_write_middleware(get_response):
    """After a request that may have written (any method but GET, HEAD, OPTIONS), pin the browser to the primary."""

    def middleware(request):
        response = get_response(request)
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
            seconds = settings.TALLY_REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                str(int(time.time() + seconds)),
                max_age=seconds,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    return middleware
