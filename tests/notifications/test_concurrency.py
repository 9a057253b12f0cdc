"""At most once under retries and races, on PostgreSQL: the same event task and the digest job run in several
threads at the same instant, and each person is still told, and e-mailed, once."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from notifications import services, tasks
from notifications.models import Notification
from offers.models import Offer, OfferAccess
from offers.services import offer_create
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def at_once(work, n=6):
    barrier = threading.Barrier(n)
    errors = []

    def run():
        try:
            barrier.wait()
            work()
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_the_same_event_in_six_workers_at_once_is_told_and_mailed_once_per_person():
    managers = [factories.ManagerFactory() for _ in range(3)]
    access = factories.OfferAccessFactory(
        offer=factories.OfferFactory(visibility=Offer.Visibility.APPROVAL_REQUIRED), status=OfferAccess.Status.PENDING
    )
    at_once(lambda: tasks.access_requested.apply(args=[access.pk]))
    assert Notification.objects.count() == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in managers)


def test_the_digest_job_in_six_workers_at_once_sends_one_digest_per_person():
    people = [factories.MembershipFactory(affiliate=factories.AffiliateFactory()).user for _ in range(3)]
    advertiser = factories.AdvertiserFactory()
    for n in range(5):
        offer_create(
            advertiser=advertiser, name=f"Offer {n}", destination_url="https://shop.example/", payout=Decimal("1")
        )
    later = timezone.now() + timedelta(minutes=30)
    at_once(lambda: services.emails_send_owed(now=later))
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in people)
    assert {m.subject for m in mail.outbox} == {"5 offer updates"}
