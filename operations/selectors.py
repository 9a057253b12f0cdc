"""Reads for the system page (areas/manager/system.py) and /metrics (operations.metrics): whether the worker and beat
are alive, the broker's queues, the affiliate-postback outbox, report freshness, each periodic task's last run and
the biggest tables. Network-wide facts, shown only to managers; nothing here is scoped to a partner."""

import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery import current_app
from celery.schedules import maybe_schedule
from django.conf import settings
from django.db.models import Min
from django.utils import timezone
from kombu import Connection

from conversions.models import PostbackDelivery
from core.sql import largest_tables
from operations.models import Heartbeat, TaskRun
from operations.task_runs import periodic_tasks
from reports.models import RollupState

logger = logging.getLogger(__name__)


@dataclass
class Check:
    """One line of the system page: what, its value as a manager reads it, when it was seen, and whether it is red."""

    name: str
    value: str
    seen_at: datetime | None = None
    stale: bool = False
    note: str = ""
    known: bool = True  # False: nothing to judge yet (a periodic task that never ran)


def _age(now, then):
    return (now - then).total_seconds() if then else None


def _ago(seconds):
    if seconds is None:
        return "never"
    seconds = max(0, int(seconds))
    if seconds < 120:
        return f"{seconds} s ago"
    if seconds < 7200:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h ago" if seconds < 172800 else f"{seconds // 86400} days ago"


def heartbeats(*, now=None):
    """A Check for the worker and for beat: red when not seen for TALLY_HEARTBEAT_STALE_SECONDS."""
    now = now or timezone.now()
    seen = {beat.component: beat for beat in Heartbeat.objects.all()}
    checks = []
    for component, label in Heartbeat.Component.choices:
        beat = seen.get(component)
        age = _age(now, beat.seen_at) if beat else None
        stale = age is None or age > settings.TALLY_HEARTBEAT_STALE_SECONDS
        value = ("alive" if not stale else "not seen") + (f", {_ago(age)}" if beat else "")
        host = f"on {beat.hostname}" if beat and beat.hostname else ""
        checks.append(Check(label, value, beat.seen_at if beat else None, stale, host))
    return checks


def outbox_state(*, now=None):
    """(pending deliveries, when the oldest due one became due or None, its age in seconds or None)."""
    now = now or timezone.now()
    pending = PostbackDelivery.objects.filter(status=PostbackDelivery.Status.PENDING)
    backlog = pending.count()
    oldest_due = pending.filter(next_attempt_at__lte=now).aggregate(oldest=Min("next_attempt_at"))["oldest"]
    return backlog, oldest_due, _age(now, oldest_due)


def outbox_check(*, now=None):
    backlog, oldest_due, age = outbox_state(now=now)
    stale = age is not None and age > settings.TALLY_OUTBOX_STALE_SECONDS
    value = f"{backlog} pending" + (f", oldest due since {_ago(age).removesuffix(' ago')}" if oldest_due else "")
    return Check("Affiliate postback outbox", value, oldest_due, stale, "" if oldest_due else "nothing due")


def rollup_lag(*, now=None):
    """Seconds between now and the instant the report rollups are current until (None: never refreshed)."""
    state = RollupState.objects.filter(pk=1).first()
    return _age(now or timezone.now(), state.covered_until) if state and state.covered_until else None


def rollup_check(*, now=None):
    lag = rollup_lag(now=now)
    stale = lag is None or lag > settings.TALLY_ROLLUP_STALE_SECONDS
    value = "never refreshed" if lag is None else f"current until {_ago(lag)}"
    return Check("Report rollups", value, None, stale)


def _overdue(task, last_success, now):
    """Seconds the periodic task is late: past the run its schedule made due after its last success."""
    entries = [entry for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] == task]
    if not entries or last_success is None:
        return None
    schedule = maybe_schedule(entries[0]["schedule"], app=current_app)
    due_in = schedule.remaining_estimate(last_success)
    if isinstance(due_in, timedelta):
        due_in = due_in.total_seconds()
    # remaining_estimate measures from the app's clock; measure from `now` instead (tests pass their own).
    due_in -= (now - timezone.now()).total_seconds()
    return max(0.0, -due_in)


def task_checks(*, now=None):
    """A Check per periodic task (CELERY_BEAT_SCHEDULE): its last run and result; red when the last run failed or
    a run is more than TALLY_HEARTBEAT_STALE_SECONDS late. A task that never ran is not red by itself (a stopped
    beat or worker is)."""
    now = now or timezone.now()
    runs = {run.task: run for run in TaskRun.objects.all()}
    checks = []
    for task in periodic_tasks():
        run = runs.get(task)
        if run is None:
            checks.append(Check(task, "never run", None, False, known=False))
            continue
        late = _overdue(task, run.last_success_at, now)
        failed = run.last_result == TaskRun.Result.FAILURE
        stale = failed or late is None or late > settings.TALLY_HEARTBEAT_STALE_SECONDS
        value = f"{run.get_last_result_display().lower()} {_ago(_age(now, run.last_run_at))}"
        note = (
            run.last_error if failed else (f"took {run.last_duration:.2f} s" if run.last_duration is not None else "")
        )
        if stale and not failed:
            note = "never succeeded" if late is None else f"late by {_ago(late).removesuffix(' ago')}"
        checks.append(Check(task, value, run.last_run_at, stale, note))
    return checks


def queue_lengths():
    """[(queue, messages waiting or None when the broker can't be asked)] for CELERY_TASK_QUEUES. On the
    filesystem broker a queue's length is the number of message files waiting in its folder; tasks a worker has
    taken are not counted on any broker."""
    timeout = settings.TALLY_READINESS_TIMEOUT
    queues = list(settings.CELERY_TASK_QUEUES)
    options = dict(settings.CELERY_BROKER_TRANSPORT_OPTIONS or {}, max_retries=0)
    lengths = []
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=timeout, transport_options=options) as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)
            for queue in queues:
                channel = connection.channel()
                try:
                    _, count, _ = queue(channel).queue_declare(passive=True)
                except connection.channel_errors:
                    count = 0  # never declared: no worker has consumed it yet, and nothing waits in it
                finally:
                    with contextlib.suppress(Exception):  # an AMQP channel is closed already by a refusal
                        channel.close()
                lengths.append((queue.name, count))
    except Exception:
        logger.warning("could not read the broker's queue lengths", exc_info=True)
        return [(queue.name, None) for queue in queues]
    return lengths


def queue_checks():
    return [
        Check(f"Queue “{name}”", "broker unreachable" if count is None else f"{count} waiting", None, count is None)
        for name, count in queue_lengths()
    ]


def system_checks(*, now=None, broker=True):
    """Every check of the system page, in its order; broker=False leaves out the queues (no broker connection: the
    manager's dashboard asks only whether anything is red)."""
    now = now or timezone.now()
    checks = [*heartbeats(now=now)]
    if broker:
        checks += queue_checks()
    checks += [outbox_check(now=now), rollup_check(now=now), *task_checks(now=now)]
    return checks


def system_needs_attention(*, now=None):
    """Whether anything the system page shows (but the broker's queues) is red."""
    return any(check.stale for check in system_checks(now=now, broker=False))


def table_sizes(limit=10):
    """[(table, bytes)], largest first (core.sql.largest_tables: one entry, the file, on SQLite)."""
    return largest_tables(limit)
