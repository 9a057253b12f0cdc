"""Each event reaches the right people, through the channels each chose, once (README.md, Notifications)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from conversions.models import Conversion, PostbackDelivery
from conversions.sending import delivery_failed
from core.periods import network_today
from notifications import events, tasks
from notifications.models import Channel, Kind, Notification, Preference
from offers.models import Offer, OfferAccess
from offers.services import offer_access_request, offer_access_set, offer_archive, offer_create, offer_update
from reports.models import DailyStat
from tests import factories
from tests.portal import postback_log

pytestmark = pytest.mark.django_db(transaction=True)  # the signals are sent after commit


def user_of(**partner):
    return factories.MembershipFactory(**partner).user


def told(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def mailed_to():
    return sorted(address for message in mail.outbox for address in message.to)


def test_an_access_request_tells_every_manager_and_no_one_else():
    boss, deputy = factories.ManagerFactory(), factories.ManagerFactory()
    factories.ManagerFactory(is_active=False)
    affiliate = factories.AffiliateFactory(name="Deal Hunters")
    asker = user_of(affiliate=affiliate)
    offer = factories.OfferFactory(name="VIP Club", visibility=Offer.Visibility.APPROVAL_REQUIRED)

    offer_access_request(offer=offer, affiliate=affiliate)

    assert told(Kind.ACCESS_REQUESTED) == sorted([boss.username, deputy.username])
    assert asker.username not in told(Kind.ACCESS_REQUESTED)
    assert mailed_to() == sorted([boss.email, deputy.email])
    assert mail.outbox[0].subject == "Deal Hunters asks to run VIP Club"
    assert "/manage/access/?status=pending" in mail.outbox[0].body


def test_asking_again_tells_no_one_again():
    factories.ManagerFactory()
    affiliate = factories.AffiliateFactory()
    offer = factories.OfferFactory(visibility=Offer.Visibility.APPROVAL_REQUIRED)
    offer_access_request(offer=offer, affiliate=affiliate)
    offer_access_request(offer=offer, affiliate=affiliate)
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_an_approval_tells_only_that_affiliates_people():
    factories.ManagerFactory()
    affiliate, other = factories.AffiliateFactory(), factories.AffiliateFactory()
    mine, theirs = user_of(affiliate=affiliate), user_of(affiliate=other)
    offer = factories.OfferFactory(name="VIP Club", visibility=Offer.Visibility.APPROVAL_REQUIRED)

    offer_access_set(offer=offer, affiliate=affiliate, status=OfferAccess.Status.APPROVED)

    assert told(Kind.ACCESS_DECIDED) == [mine.username]
    assert theirs.username not in mailed_to()
    assert mail.outbox[-1].subject == "Your access to VIP Club was approved"


def test_a_rejection_then_an_approval_are_two_events():
    affiliate = factories.AffiliateFactory()
    user_of(affiliate=affiliate)
    offer = factories.OfferFactory(visibility=Offer.Visibility.APPROVAL_REQUIRED)
    offer_access_set(offer=offer, affiliate=affiliate, status=OfferAccess.Status.REJECTED)
    offer_access_set(offer=offer, affiliate=affiliate, status=OfferAccess.Status.REJECTED)  # no change: no event
    offer_access_set(offer=offer, affiliate=affiliate, status=OfferAccess.Status.APPROVED)
    titles = sorted(Notification.objects.values_list("title", flat=True))
    assert len(titles) == 2
    assert "turned down" in titles[1] and "approved" in titles[0]


def test_a_paused_offer_tells_the_affiliates_running_it_only():
    offer = factories.OfferFactory(name="Acme Sales")
    approved, with_traffic, blocked, bystander = (factories.AffiliateFactory() for _ in range(4))
    factories.OfferAccessFactory(offer=offer, affiliate=approved, status=OfferAccess.Status.APPROVED)
    factories.OfferAccessFactory(offer=offer, affiliate=blocked, status=OfferAccess.Status.BLOCKED)
    for affiliate in (with_traffic, blocked):
        DailyStat.objects.create(day=network_today(), offer=offer, affiliate=affiliate, clicks=5)
    users = {a: user_of(affiliate=a) for a in (approved, with_traffic, blocked, bystander)}

    offer_update(offer=offer, status=Offer.Status.PAUSED)

    assert told(Kind.OFFER_STATUS) == sorted([users[approved].username, users[with_traffic].username])
    assert Notification.objects.get(recipient=users[approved]).title == "Acme Sales is paused"
    assert sorted(mailed_to()) == sorted([users[approved].email, users[with_traffic].email])


def test_archiving_tells_them_too():
    offer = factories.OfferFactory(name="Acme Sales")
    affiliate = factories.AffiliateFactory()
    factories.OfferAccessFactory(offer=offer, affiliate=affiliate, status=OfferAccess.Status.APPROVED)
    user = user_of(affiliate=affiliate)
    offer_archive(offer=offer)
    assert Notification.objects.get(recipient=user, kind=Kind.OFFER_STATUS).title == "Acme Sales is archived"


def test_a_new_payout_is_in_the_inbox_at_once_and_waits_for_the_digest_by_email():
    offer = factories.OfferFactory(name="Acme Sales", payout=Decimal("5.00"))
    affiliate = factories.AffiliateFactory()
    factories.OfferAccessFactory(offer=offer, affiliate=affiliate, status=OfferAccess.Status.APPROVED)
    user = user_of(affiliate=affiliate)

    offer_update(offer=offer, payout=Decimal("7.50"))

    entry = Notification.objects.get(recipient=user, kind=Kind.OFFER_CHANGED)
    assert "Payout is now 7.50 USD" in entry.body
    assert entry.email == Notification.Email.PENDING
    assert mail.outbox == []


def test_an_unwatched_change_tells_no_one():
    offer = factories.OfferFactory()
    affiliate = factories.AffiliateFactory()
    factories.OfferAccessFactory(offer=offer, affiliate=affiliate, status=OfferAccess.Status.APPROVED)
    user_of(affiliate=affiliate)
    offer_update(offer=offer, description="Better words")
    assert Notification.objects.count() == 0


def test_a_new_public_offer_tells_every_active_affiliate_and_a_private_one_nobody():
    active = user_of(affiliate=factories.AffiliateFactory())
    user_of(affiliate=factories.AffiliateFactory(status="pending"))
    user_of(advertiser=factories.AdvertiserFactory())
    advertiser = factories.AdvertiserFactory()
    fields = {"destination_url": "https://shop.example/?t={transaction_id}", "payout": Decimal("3")}

    offer_create(advertiser=advertiser, name="Secret", visibility=Offer.Visibility.PRIVATE, **fields)
    assert told(Kind.OFFER_NEW) == []

    offer_create(advertiser=advertiser, name="Winter Sale", **fields)
    assert told(Kind.OFFER_NEW) == [active.username]
    assert Notification.objects.get(kind=Kind.OFFER_NEW).title == "New offer: Winter Sale"


def test_preferences_choose_the_channels():
    inbox_only, email_only, nothing, default = (factories.ManagerFactory() for _ in range(4))
    Preference.objects.create(user=inbox_only, kind=Kind.ACCESS_REQUESTED, channel=Channel.INBOX)
    Preference.objects.create(user=email_only, kind=Kind.ACCESS_REQUESTED, channel=Channel.EMAIL)
    Preference.objects.create(user=nothing, kind=Kind.ACCESS_REQUESTED, channel=Channel.NONE)
    Preference.objects.create(user=default, kind=Kind.OFFER_CAP, channel=Channel.NONE)  # another kind
    offer_access_request(
        offer=factories.OfferFactory(visibility=Offer.Visibility.APPROVAL_REQUIRED),
        affiliate=factories.AffiliateFactory(),
    )
    inbox = sorted(Notification.objects.filter(in_inbox=True).values_list("recipient__username", flat=True))
    assert inbox == sorted([inbox_only.username, default.username])
    assert mailed_to() == sorted([email_only.email, default.email])
    assert not Notification.objects.filter(recipient=nothing).exists()


def test_running_a_task_twice_tells_everyone_once():
    factories.ManagerFactory()
    access = factories.OfferAccessFactory(
        offer=factories.OfferFactory(visibility=Offer.Visibility.APPROVAL_REQUIRED), status=OfferAccess.Status.PENDING
    )
    tasks.access_requested.apply(args=[access.pk])
    tasks.access_requested.apply(args=[access.pk])
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def _conversions(offer, n, status=Conversion.Status.APPROVED):
    for _ in range(n):
        factories.ConversionFactory(click=factories.ClickFactory(offer=offer), status=status)


def test_caps_at_80_and_100_percent_are_told_once_each():
    manager = factories.ManagerFactory()
    offer = factories.OfferFactory(name="Capped", daily_cap=10)
    _conversions(offer, 7)
    _conversions(offer, 3, status=Conversion.Status.REJECTED)  # not counted, as the pipeline counts
    assert events.caps_check() == 0

    _conversions(offer, 1, status=Conversion.Status.PENDING)
    events.caps_check()
    events.caps_check()
    assert list(Notification.objects.values_list("title", flat=True)) == [
        "Capped is at 80 % of its daily cap (8 of 10)"
    ]

    _conversions(offer, 2)
    events.caps_check()
    assert Notification.objects.filter(recipient=manager).count() == 2
    assert Notification.objects.latest("pk").title == "Capped is at 100 % of its daily cap (10 of 10)"


def test_a_spike_of_one_reason_is_told_once_an_hour(settings):
    settings.TALLY_NOTIFY_SPIKE_THRESHOLD = 5
    factories.ManagerFactory()
    for _ in range(4):
        postback_log(verdict="rejected", reason="invalid_token", http_status=403)
        postback_log(verdict="rejected", reason="duplicate", http_status=409)
    postback_log(
        verdict="rejected", reason="duplicate", http_status=409, received_at=timezone.now() - timedelta(hours=1)
    )
    assert events.refusals_check() == 0

    postback_log(verdict="rejected", reason="invalid_token", http_status=403)
    postback_log(verdict="rejected", reason="invalid_token", http_status=403, is_test=True)  # tests don't count
    events.refusals_check()
    events.refusals_check()
    assert list(Notification.objects.values_list("title", flat=True)) == [
        "5 postbacks refused for invalid_token in 15 minutes"
    ]


def test_failing_postbacks_tell_the_managers_once_a_day_per_affiliate():
    manager = factories.ManagerFactory()
    affiliate = factories.AffiliateFactory(name="Blue Coupons")
    for _ in range(3):
        conversion = factories.ConversionFactory(click=factories.ClickFactory(affiliate=affiliate))
        delivery = PostbackDelivery.objects.create(
            conversion=conversion,
            conversion_status="approved",
            status=PostbackDelivery.Status.FAILED,
            last_error="HTTP 500",
            give_up_at=timezone.now(),
        )
        delivery_failed.send(sender=PostbackDelivery, delivery=delivery)
    entry = Notification.objects.get(recipient=manager)
    assert entry.title == "Postbacks to Blue Coupons are failing"
    assert entry.body.startswith("1 given up today")


def test_a_passed_integration_test_tells_the_advertisers_people():
    advertiser = factories.AdvertiserFactory()
    mine, other = user_of(advertiser=advertiser), user_of(advertiser=factories.AdvertiserFactory())
    offer = factories.OfferFactory(advertiser=advertiser, name="Acme App")
    tester = factories.AffiliateFactory(is_test=True)
    click = factories.ClickFactory(offer=offer, affiliate=tester)
    params = {"transaction_id": click.transaction_id}
    postback_log(offer=offer, is_test=True, verdict="rejected", reason="invalid_token", http_status=403, params=params)
    assert events.integration_tests_check() == 0

    postback_log(offer=offer, is_test=True, params=params)
    postback_log(offer=offer, is_test=True, params=params)  # the advertiser fires it again: told once
    events.integration_tests_check()
    assert told(Kind.INTEGRATION_TEST) == [mine.username]
    assert other.email not in mailed_to()
    assert Notification.objects.get().link == f"/advertiser/offers/{offer.pk}/test/{click.transaction_id}/"
