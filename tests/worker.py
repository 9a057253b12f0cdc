"""A real Celery worker for the tests that need one (imported by tests/conftest.py).

`celery_worker` starts `celery -A config worker` as a subprocess once per session, on Redis database 7 and on
the very PostgreSQL test database the tests write to, with tiny retry delays; it is stopped at the end. Tests
using it are marked `postgres` and `django_db(transaction=True)` so the worker sees their committed rows.
`start_worker` starts a worker of a test's own (a test that kills its worker must not kill the session's), on a
Redis database of its own so that neither takes the other's tasks.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REDIS_URL = os.environ.get("TALLY_TEST_REDIS_URL", "redis://127.0.0.1:6379/7")
BASE_DIR = Path(__file__).resolve().parent.parent

# What the worker runs with: retries within a second, the sweep re-queues after a second, loopback allowed.
WORKER_SETTINGS = {
    "CELERY_BROKER_URL": REDIS_URL,
    "CELERY_RESULT_BACKEND": REDIS_URL,
    "DJANGO_CONN_MAX_AGE": "0",
    "TALLY_POSTBACK_ALLOW_LOOPBACK": "true",
    "TALLY_POSTBACK_RETRY_BASE_SECONDS": "0.2",
    "TALLY_POSTBACK_RETRY_MAX_SECONDS": "1",
    "TALLY_POSTBACK_REQUEUE_SECONDS": "1",
    "TALLY_CLICK_RETENTION_DAYS": "30",
}


def wait_until(condition, timeout, interval=0.05, tick=None):
    """Poll condition() until it is true or timeout seconds have passed; return its last value."""
    deadline = time.monotonic() + timeout
    while True:
        if tick:
            tick()
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


class Worker:
    def __init__(self, process, log_path, broker_url=REDIS_URL):
        self.process = process
        self.log_path = log_path
        self.broker_url = broker_url

    def log(self, last=3000):
        return self.log_path.read_text(errors="replace")[-last:]

    def send(self, task, *args, **options):
        """Queue a task on the worker's broker (a fresh connection: the app's pool may point elsewhere)."""
        from config.celery import app

        with app.connection_for_write(self.broker_url, transport_options={}) as connection:
            return task.apply_async(args, connection=connection, **options)

    def result(self, async_result, timeout=10):
        from celery.backends.redis import RedisBackend

        from config.celery import app

        backend = RedisBackend(app=app, url=self.broker_url)
        return app.AsyncResult(async_result.id, backend=backend).get(timeout=timeout)

    def stop(self):
        """Warm shutdown (SIGTERM: finish the task at hand, then stop); SIGKILL to the process group after 15 s."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self):
        """SIGKILL to the worker's process group (the main process and its pool children): no shutdown at all."""
        with contextlib.suppress(ProcessLookupError):  # it is gone already
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=5)


def _database_url(settings_dict):
    user, password = settings_dict["USER"], settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else f"{user}@"
    host, port = settings_dict.get("HOST") or "127.0.0.1", settings_dict.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


def start_worker(log_path, *, broker_url=REDIS_URL, hostname="tally-test@%h", concurrency=2, **settings):
    """Start `celery -A config worker` in its own process group on the test database (Django's connection, which
    must be PostgreSQL), with WORKER_SETTINGS on `broker_url` plus `settings` (environment values), logging to
    log_path. Returns the Worker once it is ready; fails the test if it does not start within 30 s."""
    from django.db import connection

    env = {
        **os.environ,
        **WORKER_SETTINGS,
        "CELERY_BROKER_URL": broker_url,
        "CELERY_RESULT_BACKEND": broker_url,
        "DATABASE_URL": _database_url(connection.settings_dict),
        **settings,
    }
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel=INFO"]
    command += [f"--concurrency={concurrency}", "--without-mingle", "--without-gossip", f"--hostname={hostname}"]
    start = log_path.stat().st_size if log_path.exists() else 0  # a second worker may append to the same log
    with log_path.open("ab") as log:
        process = subprocess.Popen(  # noqa: S603 -- our own interpreter and arguments
            command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    worker = Worker(process, log_path, broker_url)
    ready = wait_until(lambda: " ready." in log_path.read_text(errors="replace")[start:] or process.poll(), timeout=30)
    if ready is not True:
        worker.kill()
        pytest.fail(f"the Celery worker did not start:\n{worker.log()}")
    return worker


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the worker tests need PostgreSQL")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()  # no tasks left over from an earlier run
    worker = start_worker(tmp_path_factory.mktemp("celery") / "worker.log")
    try:
        yield worker
    finally:
        worker.stop()


@pytest.fixture
def worker(celery_worker, settings):
    """The session's worker, with this process publishing to its broker for the length of one test."""
    from config.celery import app

    settings.TALLY_POSTBACK_ALLOW_LOOPBACK = True
    saved = app.conf.broker_url, app.conf.broker_transport_options
    publish_to(app, REDIS_URL)
    yield celery_worker
    publish_to(app, *saved)


def publish_to(app, broker_url, transport_options=None):
    """Make the Celery app publish to `broker_url` from now on: the setting, and the connection pools the app keeps
    (made for the broker of the moment they were first used, they would go on publishing there: a task sent with
    the pool, like beat's first heartbeat, went to an earlier test's broker). Celery resets them the same way
    after a fork."""
    app.conf.broker_url, app.conf.broker_transport_options = broker_url, transport_options or {}
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
