"""New public offers and offer changes come in bursts: their e-mails wait TALLY_NOTIFY_DIGEST_MINUTES after the
first, then everything owed to a person goes out as one digest (README.md, Notifications)."""

import socket
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from notifications import services
from notifications.models import Kind, Notification
from offers.models import Offer
from offers.services import offer_create
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def publish(advertiser, *names):
    for name in names:
        offer_create(
            advertiser=advertiser,
            name=name,
            destination_url="https://shop.example/?t={transaction_id}",
            payout=Decimal("2"),
            visibility=Offer.Visibility.PUBLIC,
        )


def test_a_burst_of_new_offers_becomes_one_digest_per_person():
    first = factories.MembershipFactory(affiliate=factories.AffiliateFactory()).user
    second = factories.MembershipFactory(affiliate=factories.AffiliateFactory()).user
    advertiser = factories.AdvertiserFactory()
    publish(advertiser, *[f"Offer {n}" for n in range(12)])
    assert Notification.objects.filter(kind=Kind.OFFER_NEW, in_inbox=True).count() == 24  # the inbox has each
    now = timezone.now()

    assert services.digests_send(now=now + timedelta(minutes=14)) == 0
    assert mail.outbox == []

    assert services.digests_send(now=now + timedelta(minutes=16)) == 2
    assert services.digests_send(now=now + timedelta(minutes=17)) == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted([first.email, second.email])
    digest = mail.outbox[0]
    assert digest.subject == "12 offer updates"
    assert all(f"New offer: Offer {n}\n" in digest.body for n in range(12))
    assert not Notification.objects.filter(email=Notification.Email.PENDING).exists()


def test_a_single_update_goes_out_alone_with_its_own_subject():
    factories.MembershipFactory(affiliate=factories.AffiliateFactory())
    publish(factories.AdvertiserFactory(), "Winter Sale")
    services.emails_send_owed(now=timezone.now() + timedelta(minutes=20))
    assert [m.subject for m in mail.outbox] == ["New offer: Winter Sale"]


def test_what_comes_after_a_digest_waits_for_the_next_one():
    factories.MembershipFactory(affiliate=factories.AffiliateFactory())
    advertiser = factories.AdvertiserFactory()
    publish(advertiser, "A", "B")
    services.digests_send(now=timezone.now() + timedelta(minutes=16))
    publish(advertiser, "C")
    assert services.digests_send(now=timezone.now() + timedelta(minutes=5)) == 0
    assert services.digests_send(now=timezone.now() + timedelta(minutes=16)) == 1
    assert [m.subject for m in mail.outbox] == ["2 offer updates", "New offer: C"]


def closed_port():
    """A local TCP port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_refused_email_is_owed_again_and_sent_by_the_next_run(settings):
    factories.MembershipFactory(affiliate=factories.AffiliateFactory())
    publish(factories.AdvertiserFactory(), "A")
    # A real SMTP backend, pointed at a port where no mail server listens: the connection is refused.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port(), 2
    assert services.digests_send(now=timezone.now() + timedelta(minutes=16)) == 0
    assert Notification.objects.get().email == Notification.Email.PENDING
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.digests_send(now=timezone.now() + timedelta(minutes=16)) == 1
