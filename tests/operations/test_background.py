"""What the worker and beat leave behind for the system page and /metrics: the worker's heartbeat, each periodic
task's last run and result, and the request ID of the web request that caused a task, in the worker's log lines.
The worker is a real Celery worker (tests/worker.py) on Redis and the PostgreSQL test database."""

import json

import pytest
import redis
from celery import signals

from config.celery import app as celery_app
from conversions.models import PostbackDelivery
from conversions.postback_urls import affiliate_postback_set
from conversions.tasks import postback_deliver
from operations import task_runs
from operations.models import Heartbeat, TaskRun
from operations.tasks import heartbeat, retention_apply
from reports.tasks import refresh_rollups
from tests import factories
from tests.receiver import Receiver
from tests.worker import start_worker, wait_until


@pytest.mark.postgres
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_records_its_heartbeat_and_each_periodic_tasks_run(worker):
    worker.send(heartbeat)
    worker.send(refresh_rollups)

    assert wait_until(lambda: Heartbeat.objects.filter(component="worker").exists(), timeout=15), worker.log()
    assert wait_until(lambda: TaskRun.objects.filter(task="reports.tasks.refresh_rollups").exists(), timeout=15)
    assert Heartbeat.objects.get(component="worker").hostname.startswith("tally-test@")
    run = TaskRun.objects.get(task="reports.tasks.refresh_rollups")
    assert run.last_result == TaskRun.Result.SUCCESS
    assert run.last_success_at == run.last_run_at
    assert run.last_duration is not None and run.last_duration >= 0


@pytest.mark.django_db
def test_a_failed_periodic_task_keeps_its_last_success_and_records_the_error():
    task = retention_apply
    signals.task_success.send(sender=task, result=None)
    first = TaskRun.objects.get(task=task.name)

    signals.task_failure.send(sender=task, task_id="t-1", exception=RuntimeError("database went away"))

    run = TaskRun.objects.get(task=task.name)
    assert run.last_result == TaskRun.Result.FAILURE
    assert run.last_error == "RuntimeError: database went away"
    assert run.last_success_at == first.last_success_at
    assert run.last_run_at > first.last_run_at


@pytest.mark.django_db
def test_only_the_tasks_beat_schedules_are_recorded():
    signals.task_success.send(sender=postback_deliver, result=None)
    assert not TaskRun.objects.exists()
    assert set(task_runs.periodic_tasks()) >= {
        "reports.tasks.refresh_rollups",
        "conversions.tasks.postback_sweep",
        "operations.tasks.retention_apply",
        "operations.tasks.heartbeat",
    }


@pytest.mark.django_db
def test_publishing_the_heartbeat_task_is_beats_heartbeat():
    signals.before_task_publish.send(sender="operations.tasks.heartbeat", headers={}, body=())
    assert Heartbeat.objects.filter(component="beat").exists()
    assert not Heartbeat.objects.filter(component="worker").exists()


@pytest.mark.postgres
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_request_id_of_a_postback_is_on_the_worker_log_line_of_the_delivery_it_caused(client, tmp_path, settings):
    """A web request's ID (here the caller's X-Request-ID) travels in the task message to the worker, whose log
    lines (JSON, TALLY_LOG_FORMAT=json) carry it."""
    broker = "redis://127.0.0.1:6379/11"
    redis.Redis.from_url(broker).flushdb()
    settings.TALLY_POSTBACK_ALLOW_LOOPBACK = True
    own = start_worker(tmp_path / "worker.log", broker_url=broker, hostname="tally-logs@%h", TALLY_LOG_FORMAT="json")
    saved = celery_app.conf.broker_url, celery_app.conf.broker_transport_options
    celery_app.conf.broker_url, celery_app.conf.broker_transport_options = broker, {}
    try:
        with Receiver() as receiver:
            click = factories.ClickFactory()
            affiliate_postback_set(affiliate=click.affiliate, url=receiver.url("/pb?cid={conversion_id}"))
            response = client.get(
                "/postback",
                {"security_token": factories.SECURITY_TOKEN, "transaction_id": click.transaction_id},
                headers={"x-request-id": "advertiser-req-42"},
            )
            assert response.status_code == 200
            assert response["X-Request-ID"] == "advertiser-req-42"
            delivered = lambda: PostbackDelivery.objects.filter(status="delivered").exists()  # noqa: E731
            assert wait_until(delivered, timeout=20, interval=0.2), own.log()
    finally:
        celery_app.conf.broker_url, celery_app.conf.broker_transport_options = saved
        own.stop()

    lines = [json.loads(line) for line in own.log_path.read_text().splitlines() if line.startswith("{")]
    # The lines of the task's run (not the "received" line the worker's consumer logs before it runs).
    run_lines = [
        line
        for line in lines
        if "conversions.tasks.postback_deliver" in line["message"] and "succeeded" in line["message"]
    ]
    assert run_lines, own.log()
    assert {line["request_id"] for line in run_lines} == {"advertiser-req-42"}
    assert {"time", "level", "logger", "message", "request_id"} <= set(run_lines[0])


@pytest.mark.postgres
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_beat_starting_sends_a_heartbeat_at_once_so_a_fresh_start_is_not_shown_stopped(worker):
    signals.beat_init.send(sender=None)

    assert Heartbeat.objects.filter(component="beat").exists()
    assert wait_until(lambda: Heartbeat.objects.filter(component="worker").exists(), timeout=15), worker.log()
