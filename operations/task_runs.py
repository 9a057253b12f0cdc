"""Celery signal receivers (connected in operations.apps) recording each periodic task's runs and beat's heartbeat.

Only tasks named in CELERY_BEAT_SCHEDULE are recorded (one upsert each time one ends); a postback delivery is not.
A failure to record is logged and never fails the task.
"""

import logging
import socket
import time

from celery import current_app
from django.conf import settings

from operations import services
from operations.models import Heartbeat

logger = logging.getLogger(__name__)

HEARTBEAT_TASK = "operations.tasks.heartbeat"
_started = {}


def periodic_tasks():
    """The task names beat schedules, in the order of CELERY_BEAT_SCHEDULE."""
    return list(dict.fromkeys(entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()))


def beat_published(sender=None, **kwargs):
    """before_task_publish: beat scheduling its heartbeat task is beat's own heartbeat."""
    if sender != HEARTBEAT_TASK:
        return
    try:
        services.heartbeat_record(component=Heartbeat.Component.BEAT, hostname=socket.gethostname())
    except Exception:
        logger.warning("could not record beat's heartbeat", exc_info=True)


def beat_started(sender=None, **kwargs):
    """beat_init: send a heartbeat at once, so a fresh start is not shown as stopped for the first minute."""
    try:
        current_app.send_task(HEARTBEAT_TASK)
    except Exception:
        logger.warning("could not send the first heartbeat", exc_info=True)


def task_started(task_id=None, task=None, **kwargs):
    if task is not None and task.name in periodic_tasks():
        _started[task_id] = time.monotonic()


def _record(task, task_id, *, succeeded, error=""):
    if task is None or task.name not in periodic_tasks():
        return
    started = _started.pop(task_id, None)
    duration = time.monotonic() - started if started is not None else None
    try:
        services.task_run_record(task=task.name, succeeded=succeeded, error=error, duration=duration)
    except Exception:
        logger.warning("could not record the run of %s", task.name, exc_info=True)


def task_succeeded(sender=None, **kwargs):
    _record(sender, getattr(sender.request, "id", None) if sender else None, succeeded=True)


def task_failed(sender=None, task_id=None, exception=None, **kwargs):
    _record(sender, task_id, succeeded=False, error=f"{type(exception).__name__}: {exception}")
