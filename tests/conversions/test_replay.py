"""Replaying a rejected postback after its cause was fixed (docs/postbacks.md#replay): same rules, same exactly-once
guarantee."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from conversions.models import Conversion, PostbackLog
from conversions.services import postback_replay
from offers.models import Offer, OfferAccess
from partners.models import Affiliate
from tests import factories
from tests.conversions.conftest import ADVERTISER_IP, TRACE_ALL_PASSED, trace_failing_at, trace_of
from tests.factories import SECURITY_TOKEN

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 14, 15, 9, 26, tzinfo=UTC)


def set_affiliate_status(affiliate, status):
    Affiliate.objects.filter(pk=affiliate.pk).update(status=status)


@pytest.fixture
def rejected_log(send_postback, click):
    """A postback refused because the click's affiliate was suspended at the time."""
    set_affiliate_status(click.affiliate, Affiliate.Status.SUSPENDED)
    response = send_postback({"transaction_id": click.transaction_id, "amount": "30", "adv_sub": "ORD-9"})
    assert response.json()["reason"] == "affiliate_not_allowed"
    return PostbackLog.objects.get()


def test_replaying_a_postback_rejected_for_a_suspended_affiliate_after_reactivation_converts(rejected_log, click):
    set_affiliate_status(click.affiliate, Affiliate.Status.ACTIVE)

    outcome = postback_replay(log=rejected_log)

    assert outcome.status == "approved"
    assert outcome.http_status == 200
    conversion = Conversion.objects.get()
    assert outcome.conversion_id == conversion.pk
    assert conversion.click == click
    assert conversion.adv_sub == "ORD-9"
    assert str(conversion.amount) == "30.00"
    replay = PostbackLog.objects.exclude(pk=rejected_log.pk).get()
    assert replay.replay_of == rejected_log
    assert replay.verdict == PostbackLog.Verdict.APPROVED
    assert replay.conversion == conversion
    assert replay.params == {k: v for k, v in rejected_log.params.items() if k != "security_token"}
    assert replay.source_ip == ADVERTISER_IP
    assert replay.path == rejected_log.path
    assert trace_of(replay) == TRACE_ALL_PASSED
    credentials = [step for step in replay.trace if step["rule"] in ("invalid_token", "ip_not_allowed")]
    assert all(f"log #{rejected_log.pk}" in step["detail"] for step in credentials)
    rejected_log.refresh_from_db()
    assert rejected_log.reason == "affiliate_not_allowed"
    assert rejected_log.conversion is None


def test_replaying_the_same_entry_twice_makes_one_conversion(rejected_log, click):
    set_affiliate_status(click.affiliate, Affiliate.Status.ACTIVE)

    first = postback_replay(log=rejected_log)
    second = postback_replay(log=rejected_log)

    assert first.status == "approved"
    assert second.status == "rejected"
    assert second.reason == "duplicate"
    assert second.http_status == 409
    assert second.conversion_id == first.conversion_id
    assert Conversion.objects.count() == 1
    replays = PostbackLog.objects.filter(replay_of=rejected_log).order_by("id")
    assert [log.reason for log in replays] == ["", "duplicate"]
    assert trace_of(replays[1]) == trace_failing_at("duplicate")


def test_a_replay_after_the_advertiser_resent_it_is_a_duplicate(rejected_log, click, send_postback):
    set_affiliate_status(click.affiliate, Affiliate.Status.ACTIVE)
    send_postback({"transaction_id": click.transaction_id})

    outcome = postback_replay(log=rejected_log)

    assert outcome.reason == "duplicate"
    assert Conversion.objects.count() == 1


def test_replaying_before_the_cause_is_fixed_is_rejected_again_and_logged(rejected_log):
    outcome = postback_replay(log=rejected_log)

    assert outcome.reason == "affiliate_not_allowed"
    assert not Conversion.objects.exists()
    replay = PostbackLog.objects.get(replay_of=rejected_log)
    assert replay.verdict == PostbackLog.Verdict.REJECTED
    assert trace_of(replay) == trace_failing_at("affiliate_not_allowed")


def test_a_replay_is_judged_by_the_time_the_postback_first_arrived(send_postback, affiliate, offer):
    with time_machine.travel(NOW, tick=False):
        click = factories.ClickFactory(offer=offer, affiliate=affiliate)
    set_affiliate_status(affiliate, Affiliate.Status.SUSPENDED)
    with time_machine.travel(click.expires_at - timedelta(minutes=1), tick=False):
        send_postback({"transaction_id": click.transaction_id})
    log = PostbackLog.objects.get()
    set_affiliate_status(affiliate, Affiliate.Status.ACTIVE)

    with time_machine.travel(click.expires_at + timedelta(days=2), tick=False):
        outcome = postback_replay(log=log)

    assert outcome.status == "approved"
    assert Conversion.objects.count() == 1


def test_a_replay_of_a_postback_that_carried_a_security_token_needs_no_token(send_postback, affiliate):
    advertiser = factories.AdvertiserFactory(security_token="tok-123")
    click = factories.ClickFactory(offer=factories.OfferFactory(advertiser=advertiser), affiliate=affiliate)
    set_affiliate_status(affiliate, Affiliate.Status.SUSPENDED)
    send_postback({"transaction_id": click.transaction_id, "security_token": "tok-123"})
    log = PostbackLog.objects.get()
    assert log.params["security_token"] == "***"
    set_affiliate_status(affiliate, Affiliate.Status.ACTIVE)

    outcome = postback_replay(log=log)

    assert outcome.status == "approved"
    assert "tok-123" not in repr(PostbackLog.objects.get(replay_of=log).params)


def test_a_partner_id_postback_replayed_after_the_affiliate_was_approved_for_the_offer_converts(
    send_postback, affiliate
):
    offer = factories.OfferFactory(visibility=Offer.Visibility.APPROVAL_REQUIRED)
    send_postback({"offer_id": offer.pk, "aff_id": affiliate.pk})
    log = PostbackLog.objects.get()
    assert log.reason == "affiliate_not_allowed"
    factories.OfferAccessFactory(offer=offer, affiliate=affiliate, status=OfferAccess.Status.APPROVED)

    outcome = postback_replay(log=log)

    assert outcome.status == "approved"
    assert Conversion.objects.get().click is None


def test_a_postback_rejected_on_an_archived_offer_converts_when_replayed_after_unarchiving(send_postback, click):
    Offer.objects.filter(pk=click.offer_id).update(status=Offer.Status.ARCHIVED)
    send_postback({"transaction_id": click.transaction_id})
    log = PostbackLog.objects.get()
    Offer.objects.filter(pk=click.offer_id).update(status=Offer.Status.ACTIVE)

    outcome = postback_replay(log=log)

    assert outcome.status == "approved"
    assert Conversion.objects.count() == 1


def test_a_replayed_aff_goal_postback_converts_its_goal(client, click):
    goal = factories.GoalFactory(offer=click.offer)
    set_affiliate_status(click.affiliate, Affiliate.Status.SUSPENDED)
    client.get(
        "/aff_goal",
        {"security_token": SECURITY_TOKEN, "a": "lsr", "goal_id": goal.pk, "transaction_id": click.transaction_id},
    )
    log = PostbackLog.objects.get()
    set_affiliate_status(click.affiliate, Affiliate.Status.ACTIVE)

    outcome = postback_replay(log=log)

    assert outcome.status == "approved"
    assert Conversion.objects.get().goal == goal


@pytest.mark.parametrize(
    "params, reason",
    [
        ({}, "missing_parameter"),
        ({"transaction_id": "nope"}, "unknown_transaction"),
        ({"transaction_id": "CLICK", "amount": "-1"}, "invalid_parameter"),
        ({"transaction_id": "CLICK", "offer_id": "999999"}, "offer_mismatch"),
    ],
)
def test_replaying_an_entry_rejected_for_a_reason_only_the_sender_can_fix_raises(send_postback, click, params, reason):
    params = {k: (click.transaction_id if v == "CLICK" else v) for k, v in params.items()}
    send_postback(params)
    log = PostbackLog.objects.get()
    assert log.reason == reason

    with pytest.raises(ValueError):
        postback_replay(log=log)

    assert PostbackLog.objects.count() == 1
    assert not Conversion.objects.exists()


def test_replaying_a_duplicate_raises(send_postback, click):
    send_postback({"transaction_id": click.transaction_id})
    send_postback({"transaction_id": click.transaction_id})

    with pytest.raises(ValueError):
        postback_replay(log=PostbackLog.objects.get(reason="duplicate"))


def test_replaying_an_accepted_entry_raises(send_postback, click):
    send_postback({"transaction_id": click.transaction_id})

    with pytest.raises(ValueError):
        postback_replay(log=PostbackLog.objects.get())

    assert Conversion.objects.count() == 1
