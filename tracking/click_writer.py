"""Storing clicks, optionally by group commit (core/group_commit.py; TALLY_CLICK_WRITERS, README "Performance"): the
clicks a process's threads store at the same moment go to the database as one multi-row INSERT and one commit, and
each request answers its 302 only once that commit is done, so a 302 still means a stored click. A lone click is
written at once, by its own thread. Off by default: at 4 threads per process it measured slower than one INSERT per
click (threads wait on one statement instead of several in flight).

The statement decides each click's is_unique as a single click's INSERT did (docs/clicks.md#unique-clicks): a
click alike (offer, affiliate, IP, user agent) already stored in the 24 hours before makes it not unique, and so
does one earlier in the same batch.
"""

from datetime import timedelta

from django.conf import settings
from django.db import router

from core.group_commit import GroupCommit
from core.sql import insert_flagged
from tracking.models import Click

UNIQUE_WINDOW = timedelta(hours=24)
# Rows per INSERT at most: a handful arrive together under load; beyond this the leader's answer would wait long.
BATCH_LIMIT = 64


def write_batch(clicks):
    """Store unsaved clicks in one INSERT (one commit outside a transaction); returns them, id and is_unique set."""
    return insert_flagged(
        clicks, "is_unique", same=("offer", "affiliate", "ip", "user_agent"), within=("created_at", UNIQUE_WINDOW)
    )


_writers = {}  # database alias -> its GroupCommit; one per process


def writer(using=None):
    """This process's click writer for the database `using` (the one clicks are written to by default), with
    TALLY_CLICK_WRITERS INSERTs at most in flight."""
    using = using or router.db_for_write(Click)
    if using not in _writers:
        _writers.setdefault(using, GroupCommit(write_batch, using=using, limit=BATCH_LIMIT))
    found = _writers[using]
    found.writers = max(settings.TALLY_CLICK_WRITERS, 1)
    return found


def click_store(click: Click) -> Click:
    """Store an unsaved click; returns it with its id and is_unique set. With TALLY_CLICK_WRITERS at 0 (the
    default) in an INSERT of its own, otherwise with the clicks of other threads arriving at the same moment. A
    database error raises here as it would for a click stored alone."""
    if not settings.TALLY_CLICK_WRITERS:
        return write_batch([click])[0]
    return writer().submit(click)
