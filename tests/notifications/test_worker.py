"""End to end with a real Celery worker (its own process, on Redis and the test database), e-mailing through
Django's file-based backend: a manager approving access in a page, the affiliate told once, even when the task is
delivered twice."""

import socket
from pathlib import Path

import pytest

from notifications import tasks
from notifications.models import Kind, Notification
from offers.models import Offer, OfferAccess
from offers.services import offer_access_set
from tests import factories
from tests.worker import publish_to, start_worker, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

BROKER = "redis://127.0.0.1:6379/12"


@pytest.fixture
def mail_worker(tmp_path, settings):
    import redis

    from config.celery import app

    redis.Redis.from_url(BROKER).flushdb()
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    worker = start_worker(
        tmp_path / "worker.log",
        broker_url=BROKER,
        hostname=f"tally-notify-{socket.gethostname()}@%h",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        DJANGO_EMAIL_FILE_PATH=str(mail_dir),
    )
    saved = app.conf.broker_url, app.conf.broker_transport_options, app.conf.task_always_eager
    publish_to(app, BROKER)
    app.conf.task_always_eager = False
    try:
        yield worker, mail_dir
    finally:
        publish_to(app, saved[0], saved[1])
        app.conf.task_always_eager = saved[2]
        worker.stop()


def messages_in(folder: Path):
    return [part for file in sorted(folder.iterdir()) for part in file.read_text().split("-" * 79) if part.strip()]


def test_an_approval_reaches_the_affiliate_through_the_worker_once(mail_worker):
    worker, mail_dir = mail_worker
    affiliate = factories.AffiliateFactory()
    person = factories.MembershipFactory(affiliate=affiliate).user
    offer = factories.OfferFactory(name="VIP Club", visibility=Offer.Visibility.APPROVAL_REQUIRED)

    access = offer_access_set(offer=offer, affiliate=affiliate, status=OfferAccess.Status.APPROVED)  # queues it
    stamp = access.updated_at.isoformat()
    worker.send(tasks.access_decided, access.pk, "approved", stamp)  # the same task delivered a second time

    assert wait_until(lambda: len(messages_in(mail_dir)) >= 1, timeout=20), worker.log()
    assert wait_until(lambda: False, timeout=2) is False  # time for a second e-mail, if there were to be one
    messages = messages_in(mail_dir)
    assert len(messages) == 1, messages
    assert f"To: {person.email}" in messages[0]
    assert "Subject: Your access to VIP Club was approved" in messages[0]
    assert Notification.objects.filter(kind=Kind.ACCESS_DECIDED, recipient=person).count() == 1
