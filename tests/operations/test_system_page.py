"""The manager's system page (/manage/system/) and the dashboard's link to it when something is red."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conversions.models import PostbackDelivery
from operations import services
from operations.models import Heartbeat
from operations.selectors import task_checks
from reports.services import rollups_refresh
from tests import factories

pytestmark = pytest.mark.django_db


def everything_fresh():
    now = timezone.now()
    services.heartbeat_record(component=Heartbeat.Component.WORKER, hostname="celery@box")
    services.heartbeat_record(component=Heartbeat.Component.BEAT)
    rollups_refresh()
    for task in ("reports.tasks.refresh_rollups", "conversions.tasks.postback_sweep", "operations.tasks.heartbeat"):
        services.task_run_record(task=task, succeeded=True, duration=0.05, at=now)


def test_only_managers_open_the_system_page(client, affiliate_user):
    assert client.get("/manage/system/").status_code == 302
    client.force_login(affiliate_user)
    assert client.get("/manage/system/").status_code == 403


def test_with_everything_fresh_nothing_is_red_and_the_dashboard_has_no_link(manager_client):
    everything_fresh()
    page = manager_client.get("/manage/system/").content.decode()
    assert "Everything is running." in page
    assert 'class="badge bad"' not in page
    assert "celery@box" in page
    assert 'href="/manage/system/"' in page  # the nav link
    home = manager_client.get("/manage/").content.decode()
    assert "Background work needs attention" not in home


def test_a_worker_not_seen_for_too_long_is_red_and_the_dashboard_links_to_the_page(manager_client, settings):
    everything_fresh()
    services.heartbeat_record(
        component=Heartbeat.Component.WORKER,
        at=timezone.now() - timedelta(seconds=settings.TALLY_HEARTBEAT_STALE_SECONDS + 5),
    )
    page = manager_client.get("/manage/system/").content.decode()
    assert "Needs attention: Celery worker." in page
    home = manager_client.get("/manage/").content.decode()
    assert "Background work needs attention" in home


def test_a_failed_task_an_overdue_outbox_and_stale_rollups_are_red(manager_client, settings):
    everything_fresh()
    services.task_run_record(task="conversions.tasks.postback_sweep", succeeded=False, error="OperationalError: boom")
    conversion = factories.ConversionFactory()
    postback = conversion.affiliate.postbacks.create(url="https://aff.example/pb")
    PostbackDelivery.objects.create(
        conversion=conversion,
        postback=postback,
        conversion_status="approved",
        next_attempt_at=timezone.now() - timedelta(seconds=settings.TALLY_OUTBOX_STALE_SECONDS + 60),
        give_up_at=timezone.now() + timedelta(hours=1),
    )
    settings.TALLY_ROLLUP_STALE_SECONDS = 0
    page = manager_client.get("/manage/system/").content.decode()
    assert "conversions.tasks.postback_sweep" in page and "OperationalError: boom" in page
    assert "Affiliate postback outbox" in page and "1 pending, oldest due since" in page
    for name in ("Affiliate postback outbox", "Report rollups", "conversions.tasks.postback_sweep"):
        assert name in page.split("Needs attention:")[1].split("</p>")[0]


def test_the_queues_are_read_from_the_broker(manager_client):
    page = manager_client.get("/manage/system/").content.decode()
    assert "Queue “celery”" in page and "Queue “postbacks”" in page
    assert "waiting" in page


@pytest.mark.parametrize(("minutes_ago", "late"), [(2, False), (20, True)])
def test_a_task_on_a_cron_schedule_is_red_once_a_run_is_overdue(minutes_ago, late):
    services.task_run_record(
        task="conversions.tasks.used_signatures_purge",  # every 5 minutes (cron */5)
        succeeded=True,
        at=timezone.now() - timedelta(minutes=minutes_ago),
    )
    (check,) = [c for c in task_checks() if c.name == "conversions.tasks.used_signatures_purge"]
    assert check.stale is late
    assert ("late by" in check.note) is late
