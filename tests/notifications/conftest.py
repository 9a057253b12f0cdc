"""Notification tests: the tasks run in this process (Celery's eager mode) unless a test starts a real worker, and
e-mail goes to Django's locmem backend (mail.outbox)."""

import pytest

from config.celery import app


@pytest.fixture(autouse=True)
def tasks_run_here(settings):
    """Queued tasks run at once in this process; `settings` makes pytest-django use the locmem mail backend."""
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved
