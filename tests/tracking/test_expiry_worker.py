"""The session expiry job run by a real Celery worker against the same PostgreSQL test database."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories
from tracking.models import Click
from tracking.tasks import sessions_expire

pytestmark = [pytest.mark.postgres, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def snapshot():
    return sorted(Click.objects.values_list("transaction_id", "expired", "ip", "user_agent", "referer"))


def test_the_expiry_job_run_twice_by_the_worker_gives_the_same_result(worker):
    now = timezone.now()
    for ago in (timedelta(days=45), timedelta(days=31), timedelta(days=3), timedelta(minutes=2), -timedelta(days=2)):
        factories.ClickFactory(
            created_at=now - ago - timedelta(days=1), expires_at=now - ago, referer="https://r.example/"
        )

    first = worker.result(worker.send(sessions_expire, ignore_result=False))
    after_first = snapshot()
    second = worker.result(worker.send(sessions_expire, ignore_result=False))

    assert first == {"expired": 4, "erased": 2}, worker.log()
    assert second == {"expired": 0, "erased": 0}
    assert snapshot() == after_first
    assert Click.objects.filter(expired=True).count() == 4
    assert Click.objects.filter(ip=None, user_agent="", referer="").count() == 2
