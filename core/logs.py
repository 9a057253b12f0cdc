"""Log lines that can be followed from a web request into the Celery tasks it causes (README, Operations).

Each request gets an ID (the caller's `X-Request-ID` when it is a short token, else a new random one), kept in a
context variable for the length of the request and sent back in the `X-Request-ID` header. `RequestIdFilter` puts
it on every log record as `request_id`; a task published during the request carries it in a message header
(`task_publish_carry_request_id`, Celery's before_task_publish signal) and the worker takes it up for the length of
the task (`task_prerun_adopt_request_id` / `task_postrun_forget_request_id`). `TALLY_LOG_FORMAT` chooses plain lines
or JSON lines (`JsonFormatter`), see LOGGING in config/settings.py.

The middleware runs in the click and postback lane too (config/hotpaths.py): a context variable and 8 random bytes.
"""

import contextvars
import json
import logging
import os
import re
from datetime import UTC, datetime

HEADER = "X-Request-ID"
# The message header that carries the ID from the publisher to the worker.
TASK_HEADER = "tally_request_id"
# A caller's ID is kept only when it is a short token (no spaces or control characters to forge log lines with).
_ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{1,64}")

request_id = contextvars.ContextVar("tally_request_id", default="")


def new_request_id():
    return os.urandom(8).hex()


def request_id_middleware(get_response):
    """Set the request ID for the length of a request and answer it in the X-Request-ID header."""

    def middleware(request):
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        token = request_id.set(given if _ACCEPTED.fullmatch(given) else new_request_id())
        try:
            response = get_response(request)
            response[HEADER] = request_id.get()
            return response
        finally:
            request_id.reset(token)

    return middleware


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record ("-" outside a request or task), for either format."""

    def filter(self, record):
        record.request_id = request_id.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id, and the traceback."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


# --- Celery signal receivers (connected in operations.apps) ----------------------------------------------------


def task_publish_carry_request_id(sender=None, headers=None, **kwargs):
    """before_task_publish: a task published during a request (or a task) carries its ID in the message headers."""
    current = request_id.get()
    if current and headers is not None:
        headers.setdefault(TASK_HEADER, current)


_task_tokens = {}


def task_prerun_adopt_request_id(task_id=None, task=None, **kwargs):
    """task_prerun: the worker logs the task under the ID of the request that caused it (a new one for beat's)."""
    given = getattr(task.request, TASK_HEADER, None) if task is not None else None
    _task_tokens[task_id] = request_id.set(given if isinstance(given, str) and given else new_request_id())


def task_postrun_forget_request_id(task_id=None, **kwargs):
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        try:
            request_id.reset(token)
        except ValueError:  # set in another context (a thread pool): leave the variable to that context
            request_id.set("")
