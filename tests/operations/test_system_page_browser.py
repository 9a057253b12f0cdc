"""The system page in Chromium: a real Celery worker is alive (green), then stopped; once its heartbeat is older
than TALLY_HEARTBEAT_STALE_SECONDS the page shows it red and the dashboard links to the page."""

import re
import time

import pytest
import redis
from playwright.sync_api import expect

from operations.models import Heartbeat
from operations.tasks import heartbeat
from reports.services import rollups_refresh
from tests import factories
from tests.worker import start_worker, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BROKER = "redis://127.0.0.1:6379/12"


def test_a_stopped_worker_turns_red_on_the_system_page(page, live_server, tmp_path, settings, screenshot):
    settings.TALLY_HEARTBEAT_STALE_SECONDS = 4
    factories.ManagerFactory(username="nina")
    rollups_refresh()
    redis.Redis.from_url(BROKER).flushdb()
    worker = start_worker(tmp_path / "worker.log", broker_url=BROKER, hostname="tally-system@%h")
    try:
        worker.send(heartbeat)  # beat's part: publishing it is beat's heartbeat, running it the worker's
        assert wait_until(lambda: Heartbeat.objects.filter(component="worker").exists(), timeout=15), worker.log()

        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(f"{live_server.url}/login/?next=/manage/system/")
        page.get_by_label("Username").fill("nina")
        page.get_by_label("Password").fill("correct-horse-battery")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="System")).to_be_visible()
        worker_row = page.get_by_role("row", name=re.compile("Celery worker"))
        expect(worker_row.locator(".badge")).to_have_text("ok")
        expect(worker_row).to_contain_text("tally-system@")
        screenshot(page, "system-01-worker-alive-1366")
    finally:
        worker.stop()

    time.sleep(settings.TALLY_HEARTBEAT_STALE_SECONDS + 0.5)
    page.goto(f"{live_server.url}/manage/")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Background work needs attention")
    screenshot(page, "system-02-dashboard-link-1366")
    alert.get_by_role("link", name="see the system page").click()
    worker_row = page.get_by_role("row", name=re.compile("Celery worker"))
    expect(worker_row.locator(".badge")).to_have_text("stale")
    expect(worker_row).to_contain_text("not seen")
    expect(page.get_by_role("alert")).to_contain_text("Celery worker")
    assert "rgb(" in worker_row.locator(".badge").evaluate("e => getComputedStyle(e).color")
    screenshot(page, "system-03-worker-stopped-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    screenshot(page, "system-04-worker-stopped-390")
