"""Affiliate postbacks (docs/affiliate-postbacks.md), in this process: the URL an affiliate sets, the outbox rows a
conversion writes, and what one attempt does. The same code under a real Celery worker: test_postback_worker.py."""

from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from config.celery import app as celery_app
from conversions import outbound, sending, signing
from conversions.models import Conversion, PostbackDelivery
from conversions.outbox import deliveries_enqueue, deliveries_sweep, delivery_resend
from conversions.postback_urls import affiliate_postback_set
from conversions.selectors import affiliate_postback_url, postback_delivery_list
from conversions.sending import delivery_attempt
from conversions.services import conversion_set_status
from offers.models import Offer
from tests import factories
from tests.factories import SECURITY_TOKEN
from tests.receiver import Receiver, Reply

pytestmark = pytest.mark.django_db

APPROVED, PENDING, REJECTED = Conversion.Status.APPROVED, Conversion.Status.PENDING, Conversion.Status.REJECTED


@pytest.fixture
def receiver(settings):
    settings.TALLY_POSTBACK_ALLOW_LOOPBACK = True
    with Receiver() as receiver:
        yield receiver


@pytest.fixture
def public_dns(monkeypatch):
    """Names in these tests resolve through a stub: affiliate.example is public, the others are not."""
    table = {"affiliate.example": ["93.184.215.14"], "internal.example": ["10.20.30.40"]}

    def resolve(host, port):
        if host not in table:
            raise OSError(f"{host} does not resolve")
        return table[host]

    monkeypatch.setattr(outbound, "resolve_host", resolve)


@pytest.fixture
def memory_broker():
    """The app's broker in this process's memory: what is queued goes nowhere (and leaves no files)."""
    saved = celery_app.conf.broker_url, celery_app.conf.broker_transport_options
    celery_app.conf.broker_url, celery_app.conf.broker_transport_options = "memory://", {}
    yield
    celery_app.conf.broker_url, celery_app.conf.broker_transport_options = saved


@pytest.fixture
def unreachable_broker(settings):
    """The app's broker pointed at a port where nothing listens (and no pause after the failure)."""
    settings.TALLY_POSTBACK_BROKER_PAUSE_SECONDS = 0
    saved = celery_app.conf.broker_url, celery_app.conf.broker_transport_options
    celery_app.conf.broker_url, celery_app.conf.broker_transport_options = "redis://127.0.0.1:1/7", {}
    yield
    celery_app.conf.broker_url, celery_app.conf.broker_transport_options = saved


def postback(client, click, **params):
    return client.get(
        "/postback",
        {"security_token": SECURITY_TOKEN, "transaction_id": click.transaction_id, **params},
        REMOTE_ADDR="192.0.2.10",
    )


# --- The URL ---------------------------------------------------------------------------------------


def test_an_affiliate_sets_a_postback_url_with_macros(affiliate, public_dns):
    url = "https://affiliate.example/pb?click={aff_click_id}&payout=<payout>&cid={conversion_id}"
    postback = affiliate_postback_set(affiliate=affiliate, url=url)
    assert postback.url == url and postback.offer is None
    assert affiliate_postback_url(affiliate) == url


def test_setting_the_url_again_replaces_it_and_an_empty_url_removes_it(affiliate, public_dns):
    affiliate_postback_set(affiliate=affiliate, url="https://affiliate.example/a")
    affiliate_postback_set(affiliate=affiliate, url="https://affiliate.example/b")
    assert affiliate_postback_url(affiliate) == "https://affiliate.example/b"
    assert affiliate.postbacks.count() == 1
    assert affiliate_postback_set(affiliate=affiliate, url="") is None
    assert affiliate_postback_url(affiliate) == ""
    assert affiliate.postbacks.count() == 0


def test_an_unknown_macro_is_refused_with_the_list_of_known_ones(affiliate, public_dns):
    with pytest.raises(ValidationError) as refused:
        affiliate_postback_set(affiliate=affiliate, url="https://affiliate.example/pb?x={order_total}")
    assert "order_total" in str(refused.value) and "conversion_id" in str(refused.value)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/pb",
        "http://169.254.169.254/latest/meta-data/",
        "http://internal.example/pb",
        "http://0x7f.0.0.1/pb",
        "http://[::ffff:10.0.0.1]/pb",
        "ftp://affiliate.example/pb",
    ],
)
def test_a_url_that_reaches_inside_the_network_is_refused_at_save_time(affiliate, public_dns, settings, url):
    settings.TALLY_POSTBACK_ALLOW_LOOPBACK = False
    with pytest.raises(ValidationError):
        affiliate_postback_set(affiliate=affiliate, url=url)
    assert affiliate.postbacks.count() == 0


def test_a_name_that_does_not_resolve_yet_is_accepted_and_checked_again_when_sending(affiliate, public_dns):
    assert affiliate_postback_set(affiliate=affiliate, url="https://not-yet.example/pb")


# --- The outbox ------------------------------------------------------------------------------------


def test_an_approved_conversion_writes_a_delivery_in_its_transaction_and_queues_it_after_commit(
    client, click, public_dns, django_capture_on_commit_callbacks
):
    affiliate_postback_set(affiliate=click.affiliate, url="https://affiliate.example/pb?tid={transaction_id}")
    with django_capture_on_commit_callbacks() as callbacks:
        response = postback(client, click, amount="20")
    assert response.status_code == 200
    conversion = Conversion.objects.get()
    delivery = PostbackDelivery.objects.get()
    assert (delivery.conversion, delivery.conversion_status, delivery.status) == (conversion, APPROVED, "pending")
    assert delivery.next_attempt_at <= timezone.now() and delivery.attempts == 0
    assert abs(delivery.give_up_at - delivery.created_at - timedelta(hours=72)) < timedelta(seconds=1)
    assert len(callbacks) == 1


def test_no_postback_url_no_delivery_and_nothing_queued(client, click, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        assert postback(client, click).status_code == 200
    assert not PostbackDelivery.objects.exists()
    assert callbacks == []


def test_a_test_postback_writes_no_delivery(client, click, public_dns):
    affiliate_postback_set(affiliate=click.affiliate, url="https://affiliate.example/pb")
    assert postback(client, click, test="1").status_code == 200
    assert not PostbackDelivery.objects.exists()


def test_a_pending_conversion_is_called_back_when_a_manager_approves_it_and_only_once(client, public_dns):
    offer = factories.OfferFactory(conversion_approval=Offer.Approval.MANUAL)
    click = factories.ClickFactory(offer=offer)
    affiliate_postback_set(affiliate=click.affiliate, url="https://affiliate.example/pb")
    assert postback(client, click).json()["status"] == "pending"
    assert not PostbackDelivery.objects.exists()
    conversion = Conversion.objects.get()
    for status in (APPROVED, REJECTED, APPROVED):
        conversion_set_status(conversion=conversion, status=status)
    assert list(PostbackDelivery.objects.values_list("conversion_status", flat=True)) == [APPROVED]


def test_a_status_change_postback_is_called_for_every_status_the_conversion_takes(client, public_dns):
    offer = factories.OfferFactory(conversion_approval=Offer.Approval.MANUAL)
    click = factories.ClickFactory(offer=offer)
    affiliate_postback_set(
        affiliate=click.affiliate, url="https://affiliate.example/pb?s={status}", on_status_change=True
    )
    postback(client, click)
    conversion = Conversion.objects.get()
    conversion_set_status(conversion=conversion, status=APPROVED)
    conversion_set_status(conversion=conversion, status=APPROVED)  # no change, no call
    conversion_set_status(conversion=conversion, status=REJECTED, reason="fraud")
    sent = PostbackDelivery.objects.order_by("id").values_list("conversion_status", "is_status_update")
    assert list(sent) == [(PENDING, True), (APPROVED, True), (REJECTED, True)]


def test_an_offers_own_postback_takes_the_place_of_the_affiliate_wide_one(client, public_dns):
    click = factories.ClickFactory()
    other_offer_click = factories.ClickFactory(affiliate=click.affiliate)
    affiliate_postback_set(affiliate=click.affiliate, url="https://affiliate.example/all")
    affiliate_postback_set(affiliate=click.affiliate, offer=click.offer, url="https://affiliate.example/this-offer")
    postback(client, click)
    postback(client, other_offer_click)
    urls = {d.conversion.offer_id: d.postback.url for d in PostbackDelivery.objects.select_related("postback")}
    assert urls == {
        click.offer_id: "https://affiliate.example/this-offer",
        other_offer_click.offer_id: "https://affiliate.example/all",
    }


def test_deliveries_are_listed_to_their_affiliate_and_managers_only(client, click, public_dns, manager):
    affiliate_postback_set(affiliate=click.affiliate, url="https://affiliate.example/pb")
    postback(client, click)
    own = factories.MembershipFactory(affiliate=click.affiliate).user
    other = factories.MembershipFactory(affiliate=factories.AffiliateFactory()).user
    advertiser = factories.MembershipFactory(advertiser=click.offer.advertiser).user
    assert postback_delivery_list(user=manager).count() == 1
    assert postback_delivery_list(user=own).count() == 1
    assert postback_delivery_list(user=other).count() == 0
    assert postback_delivery_list(user=advertiser).count() == 0


def test_an_unreachable_broker_never_fails_the_postback(
    client, click, public_dns, unreachable_broker, caplog, django_capture_on_commit_callbacks
):
    affiliate_postback_set(affiliate=click.affiliate, url="https://affiliate.example/pb")
    with django_capture_on_commit_callbacks(execute=True):
        response = postback(client, click)
    assert response.status_code == 200
    assert Conversion.objects.get().status == APPROVED
    delivery = PostbackDelivery.objects.get()
    assert delivery.status == "pending" and delivery.attempts == 0
    assert "the sweep will send them" in caplog.text


# --- One attempt -----------------------------------------------------------------------------------


def approved_delivery(client, receiver, url=None, **postback_options):
    click = factories.ClickFactory(aff_click_id="their-click-7")
    affiliate_postback_set(
        affiliate=click.affiliate,
        url=url or receiver.url("/pb?click={aff_click_id}&cid={conversion_id}&payout={payout}&status={status}"),
        **postback_options,
    )
    postback(client, click, amount="20")
    return PostbackDelivery.objects.get(conversion__click=click)


def test_a_delivery_is_a_signed_get_with_the_macros_filled_in(client, receiver):
    delivery = approved_delivery(client, receiver)
    conversion = delivery.conversion
    delivery = delivery_attempt(delivery_id=delivery.pk)
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("delivered", 1, None)
    request = receiver.requests[0]
    query = urlsplit(request["path"]).query
    assert parse_qs(query) == {
        "click": ["their-click-7"],
        "cid": [str(conversion.pk)],
        "payout": [str(conversion.payout)],
        "status": ["approved"],
    }
    header = request["headers"]["X-Tally-Signature"]
    ok, _ = signing.verify(
        header, query, [conversion.affiliate.postback_secret], now=timezone.now().timestamp(), tolerance=300
    )
    assert ok
    attempt = delivery.attempt_log.get()
    assert (attempt.status_code, attempt.url, attempt.response_snippet) == (200, receiver.url(request["path"]), "ok")


def test_a_server_error_is_retried_later_with_backoff_and_jitter(client, receiver, settings):
    settings.TALLY_POSTBACK_RETRY_BASE_SECONDS = 60
    receiver.script(Reply(status=503, body=b"maintenance"))
    delivery = approved_delivery(client, receiver)
    before = timezone.now()
    delivery = delivery_attempt(delivery_id=delivery.pk)
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 1, "HTTP 503")
    assert before + timedelta(seconds=30) <= delivery.next_attempt_at <= timezone.now() + timedelta(seconds=60)
    assert delivery.attempt_log.get().response_snippet == "maintenance"
    # not due yet: nothing is sent
    assert delivery_attempt(delivery_id=delivery.pk) is None
    assert len(receiver.requests) == 1


def test_backoff_doubles_up_to_the_maximum(settings):
    settings.TALLY_POSTBACK_RETRY_BASE_SECONDS = 60
    settings.TALLY_POSTBACK_RETRY_MAX_SECONDS = 3600
    for attempts, full in [(1, 60), (2, 120), (3, 240), (7, 3600), (40, 3600)]:
        delays = [sending._backoff(attempts) for _ in range(50)]
        assert all(full / 2 <= d <= full for d in delays)
        assert len(set(delays)) > 1  # jitter


def test_a_client_error_fails_at_once_and_a_manager_can_resend_it(client, receiver, django_capture_on_commit_callbacks):
    receiver.script(404, 200)
    delivery = approved_delivery(client, receiver)
    delivery = delivery_attempt(delivery_id=delivery.pk)
    assert (delivery.status, delivery.next_attempt_at, delivery.last_error) == ("failed", None, "HTTP 404")
    with django_capture_on_commit_callbacks() as queued:
        delivery_resend(delivery=delivery)
    assert len(queued) == 1
    delivery = delivery_attempt(delivery_id=delivery.pk)
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    assert list(delivery.attempt_log.values_list("status_code", flat=True)) == [404, 200]


def test_a_pending_delivery_cannot_be_resent(client, receiver):
    delivery = approved_delivery(client, receiver)
    with pytest.raises(ValidationError):
        delivery_resend(delivery=delivery)


def test_retries_stop_when_the_window_ends(client, receiver):
    receiver.script(500)
    delivery = approved_delivery(client, receiver)
    PostbackDelivery.objects.filter(pk=delivery.pk).update(give_up_at=timezone.now() + timedelta(milliseconds=1))
    delivery = delivery_attempt(delivery_id=delivery.pk)
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("failed", 1, "HTTP 500")


def test_a_url_that_now_resolves_to_a_private_address_is_refused_at_send_time(client, receiver, monkeypatch):
    delivery = approved_delivery(client, receiver, url="http://affiliate.example/pb")
    monkeypatch.setattr(outbound, "resolve_host", lambda host, port: ["10.0.0.7"])
    delivery = delivery_attempt(delivery_id=delivery.pk)
    assert delivery.status == "failed" and "private" in delivery.last_error
    assert delivery.attempt_log.get().status_code is None
    assert receiver.requests == []


def test_a_delivered_postback_is_not_sent_again_by_a_second_task(client, receiver):
    delivery = approved_delivery(client, receiver)
    assert delivery_attempt(delivery_id=delivery.pk).status == "delivered"
    assert delivery_attempt(delivery_id=delivery.pk) is None
    assert len(receiver.requests) == 1


def test_the_postback_url_in_force_when_sending_is_used(client, receiver):
    delivery = approved_delivery(client, receiver)
    affiliate_postback_set(affiliate=delivery.conversion.affiliate, url=receiver.url("/fixed?cid={conversion_id}"))
    delivery_attempt(delivery_id=delivery.pk)
    assert receiver.requests[0]["path"] == f"/fixed?cid={delivery.conversion_id}"


# --- The sweep -------------------------------------------------------------------------------------


def test_the_sweep_queues_what_is_due_and_not_already_queued(client, receiver, settings, memory_broker):
    settings.TALLY_POSTBACK_REQUEUE_SECONDS = 300
    delivery = approved_delivery(client, receiver)  # marked queued when written
    assert deliveries_sweep() == 0
    PostbackDelivery.objects.filter(pk=delivery.pk).update(queued_at=timezone.now() - timedelta(minutes=6))
    assert deliveries_sweep() == 1
    assert PostbackDelivery.objects.get(pk=delivery.pk).queued_at > timezone.now() - timedelta(minutes=1)
    assert deliveries_sweep() == 0  # queued a moment ago: left to its task
    PostbackDelivery.objects.filter(pk=delivery.pk).update(
        queued_at=None, next_attempt_at=timezone.now() + timedelta(minutes=1)
    )
    assert deliveries_sweep() == 0  # not due yet
    assert deliveries_enqueue([]) == 0


def test_money_macros_are_plain_decimals(client, receiver):
    delivery = approved_delivery(client, receiver)
    delivery_attempt(delivery_id=delivery.pk)
    payout = parse_qs(urlsplit(receiver.requests[0]["path"]).query)["payout"][0]
    assert Decimal(payout) == delivery.conversion.payout


def test_a_manager_resends_a_failed_postback_from_the_admin(client, receiver, admin_client):
    receiver.script(410, 200)
    delivery = delivery_attempt(delivery_id=approved_delivery(client, receiver).pk)
    assert delivery.status == "failed"
    page = admin_client.get(f"/admin/conversions/postbackdelivery/{delivery.pk}/change/")
    assert page.status_code == 200 and b"HTTP 410" in page.content
    response = admin_client.post(
        "/admin/conversions/postbackdelivery/", {"action": "resend", "_selected_action": [delivery.pk]}
    )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_error) == ("pending", "HTTP 410")
    assert delivery_attempt(delivery_id=delivery.pk).status == "delivered"
