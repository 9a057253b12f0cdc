"""The session expiry job: marks ended sessions expired, erases personal data after the retention period."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories
from tracking.models import Click
from tracking.services import sessions_expire

pytestmark = pytest.mark.django_db


def click_ending(ago, **fields):
    """A click whose session ended `ago` before now (negative: still running)."""
    now = timezone.now()
    return factories.ClickFactory(
        created_at=now - ago - timedelta(hours=1), expires_at=now - ago, referer="https://blog.example/", **fields
    )


def snapshot():
    return sorted(Click.objects.values_list("transaction_id", "expired", "ip", "user_agent", "referer"))


def test_ended_sessions_are_marked_expired_and_running_ones_are_not(settings):
    settings.TALLY_CLICK_RETENTION_DAYS = 30
    ended = click_ending(timedelta(minutes=5))
    running = click_ending(-timedelta(minutes=5))
    assert sessions_expire() == {"expired": 1, "erased": 0}
    ended.refresh_from_db()
    running.refresh_from_db()
    assert ended.expired and not running.expired
    assert (ended.ip, ended.user_agent, ended.referer) == ("203.0.113.7", "Mozilla/5.0 (test)", "https://blog.example/")


def test_personal_data_is_erased_after_the_retention_period_and_the_rest_is_kept(settings):
    settings.TALLY_CLICK_RETENTION_DAYS = 30
    old = click_ending(timedelta(days=31), aff_sub="newsletter")
    recent = click_ending(timedelta(days=29))
    assert sessions_expire() == {"expired": 2, "erased": 1}
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.expired, old.ip, old.user_agent, old.referer) == (True, None, "", "")
    assert (old.aff_sub, old.transaction_id, old.offer_id) == ("newsletter", old.transaction_id, old.offer_id)
    assert recent.ip == "203.0.113.7"


def test_running_the_job_twice_gives_the_same_result(settings):
    settings.TALLY_CLICK_RETENTION_DAYS = 30
    for ago in (timedelta(days=40), timedelta(days=31), timedelta(days=2), timedelta(minutes=1), -timedelta(days=1)):
        click_ending(ago)
    first = sessions_expire()
    after_first = snapshot()
    assert first == {"expired": 4, "erased": 2}
    assert sessions_expire() == {"expired": 0, "erased": 0}
    assert snapshot() == after_first


def test_a_backlog_is_worked_through_in_batches(settings):
    settings.TALLY_CLICK_RETENTION_DAYS = 1
    for _ in range(7):
        click_ending(timedelta(days=2))
    assert sessions_expire(batch_size=3) == {"expired": 7, "erased": 7}
    assert not Click.objects.filter(expired=False).exists()
    assert not Click.objects.exclude(ip=None).exists()


def test_a_postback_on_a_session_the_job_has_not_reached_yet_is_still_refused_as_expired(client):
    """The postback decides expiry by expires_at alone, whether or not the job has run."""
    click = click_ending(timedelta(seconds=1))
    assert not click.expired
    response = client.get(
        "/postback",
        {"transaction_id": click.transaction_id, "security_token": factories.SECURITY_TOKEN},
        REMOTE_ADDR="192.0.2.10",
    )
    assert response.status_code == 410
    assert response.json()["reason"] == "expired_transaction"
