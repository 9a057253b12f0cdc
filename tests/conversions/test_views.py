"""The manager's conversion review and postback log pages: filters, approve/reject (one or many), replay."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conversions.models import Conversion, ConversionStatusChange, PostbackLog
from partners.models import Affiliate
from tests import factories
from tests.factories import SECURITY_TOKEN
from tests.portal import postback_log

pytestmark = pytest.mark.django_db

PENDING, APPROVED, REJECTED = Conversion.Status.PENDING, Conversion.Status.APPROVED, Conversion.Status.REJECTED


# --- conversions ---------------------------------------------------------------------------------------------


def test_the_conversion_list_filters_by_status_offer_and_date(manager_client):
    old = factories.ConversionFactory(status=PENDING)
    Conversion.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=10))
    recent = factories.ConversionFactory(status=PENDING)
    approved = factories.ConversionFactory(status=APPROVED)
    since = (timezone.now() - timedelta(days=2)).date().isoformat()

    pending = manager_client.get("/manage/conversions/", {"status": "pending"})
    recent_pending = manager_client.get("/manage/conversions/", {"status": "pending", "date_from": since})
    of_offer = manager_client.get("/manage/conversions/", {"offer": approved.offer_id})

    assert {c.pk for c in pending.context["object_list"]} == {old.pk, recent.pk}
    assert [c.pk for c in recent_pending.context["object_list"]] == [recent.pk]
    assert [c.pk for c in of_offer.context["object_list"]] == [approved.pk]


def test_the_conversion_list_explains_an_invalid_filter(manager_client):
    response = manager_client.get("/manage/conversions/", {"date_from": "yesterday"})

    assert response.status_code == 200
    assert response.context["filter"].errors["date_from"] == ["Enter a valid date."]


def test_approving_one_conversion_records_who_and_when(manager_client, manager):
    conversion = factories.ConversionFactory(status=PENDING)

    response = manager_client.post(f"/manage/conversions/{conversion.pk}/status/", {"status": "approved"})

    assert response.status_code == 302
    conversion.refresh_from_db()
    assert conversion.status == APPROVED
    change = ConversionStatusChange.objects.get()
    assert (change.old_status, change.new_status, change.changed_by) == (PENDING, APPROVED, manager)


def test_rejecting_one_conversion_needs_a_reason(manager_client):
    conversion = factories.ConversionFactory(status=PENDING)

    response = manager_client.post(
        f"/manage/conversions/{conversion.pk}/status/", {"status": "rejected", "reason": " "}
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {"reason": ["Give a reason for the rejection."]}
    conversion.refresh_from_db()
    assert conversion.status == PENDING
    assert not ConversionStatusChange.objects.exists()


def test_rejecting_one_conversion_keeps_the_reason(manager_client):
    conversion = factories.ConversionFactory(status=APPROVED)

    manager_client.post(
        f"/manage/conversions/{conversion.pk}/status/", {"status": "rejected", "reason": "order refunded"}
    )

    conversion.refresh_from_db()
    assert conversion.status == REJECTED
    assert conversion.status_reason == "order refunded"
    assert ConversionStatusChange.objects.get().reason == "order refunded"


def test_rejecting_many_conversions_at_once(manager_client, manager):
    chosen = factories.ConversionFactory.create_batch(3, status=PENDING)
    untouched = factories.ConversionFactory(status=PENDING)

    response = manager_client.post(
        "/manage/conversions/bulk/",
        {
            "conversions": [c.pk for c in chosen],
            "status": "rejected",
            "reason": "fraud check failed",
            "next": "/manage/conversions/?status=pending",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/manage/conversions/?status=pending"
    for conversion in chosen:
        conversion.refresh_from_db()
        assert (conversion.status, conversion.status_reason) == (REJECTED, "fraud check failed")
    untouched.refresh_from_db()
    assert untouched.status == PENDING
    assert ConversionStatusChange.objects.filter(changed_by=manager, new_status=REJECTED).count() == 3


def test_approving_many_conversions_at_once(manager_client):
    chosen = factories.ConversionFactory.create_batch(2, status=PENDING)

    manager_client.post("/manage/conversions/bulk/", {"conversions": [c.pk for c in chosen], "status": "approved"})

    assert set(Conversion.objects.values_list("status", flat=True)) == {APPROVED}


def test_a_bulk_action_without_ticked_rows_or_reason_changes_nothing_and_says_why(manager_client):
    conversion = factories.ConversionFactory(status=PENDING)

    nothing_ticked = manager_client.post("/manage/conversions/bulk/", {"status": "approved"}, follow=True)
    no_reason = manager_client.post(
        "/manage/conversions/bulk/", {"conversions": [conversion.pk], "status": "rejected"}, follow=True
    )

    assert b"Tick at least one conversion." in nothing_ticked.content
    assert b"Give a reason for the rejection." in no_reason.content
    conversion.refresh_from_db()
    assert conversion.status == PENDING


def test_a_bulk_action_never_redirects_off_the_conversion_pages(manager_client):
    conversion = factories.ConversionFactory(status=PENDING)

    response = manager_client.post(
        "/manage/conversions/bulk/",
        {"conversions": [conversion.pk], "status": "approved", "next": "https://evil.example/"},
    )

    assert response["Location"] == "/manage/conversions/"


def test_the_conversion_page_shows_its_history_and_postbacks(manager_client):
    conversion = factories.ConversionFactory(status=PENDING, adv_sub="ORDER-77")
    log = postback_log(conversion=conversion, offer=conversion.offer)
    manager_client.post(f"/manage/conversions/{conversion.pk}/status/", {"status": "approved", "reason": "checked"})

    response = manager_client.get(f"/manage/conversions/{conversion.pk}/")

    assert b"ORDER-77" in response.content
    assert b"checked" in response.content
    assert f"/manage/postbacks/{log.pk}/".encode() in response.content


# --- postback log --------------------------------------------------------------------------------------------


def test_the_postback_log_filters_by_verdict_and_transaction(manager_client):
    accepted = postback_log(params={"transaction_id": "aaa"})
    refused = postback_log(
        params={"transaction_id": "bbb"}, verdict="rejected", reason="unknown_transaction", http_status=404
    )

    rejected = manager_client.get("/manage/postbacks/", {"verdict": "rejected"})
    by_transaction = manager_client.get("/manage/postbacks/", {"transaction_id": "aaa"})

    assert list(rejected.context["object_list"]) == [refused]
    assert list(by_transaction.context["object_list"]) == [accepted]


@pytest.fixture
def refused_postback(client, click):
    """A real postback, refused because the click's affiliate was suspended when it arrived."""
    Affiliate.objects.filter(pk=click.affiliate_id).update(status=Affiliate.Status.SUSPENDED)
    response = client.get(
        "/postback",
        {"security_token": SECURITY_TOKEN, "transaction_id": click.transaction_id, "amount": "25", "adv_sub": "A-1"},
    )
    assert response.status_code == 403
    return PostbackLog.objects.get()


def test_the_log_entry_shows_the_decision_trace_for_a_person(manager_client, refused_postback):
    response = manager_client.get(f"/manage/postbacks/{refused_postback.pk}/")

    content = response.content.decode()
    assert "Affiliate allowed on the offer" in content
    assert "may not convert on this offer" in content
    assert "Transaction (or offer and affiliate) found" in content
    assert content.count('class="pass"') == len(refused_postback.trace) - 1
    assert content.count('class="fail"') == 1
    assert ">Replay</button>" in content


def test_replay_after_the_cause_is_fixed_makes_the_conversion(manager_client, refused_postback, click):
    Affiliate.objects.filter(pk=click.affiliate_id).update(status=Affiliate.Status.ACTIVE)

    response = manager_client.post(f"/manage/postbacks/{refused_postback.pk}/replay/")

    conversion = Conversion.objects.get()
    replay = PostbackLog.objects.get(replay_of=refused_postback)
    assert response.status_code == 302
    assert response["Location"] == f"/manage/postbacks/{replay.pk}/"
    assert (conversion.click, conversion.adv_sub, str(conversion.amount)) == (click, "A-1", "25.00")
    assert replay.conversion == conversion
    assert replay.verdict == PostbackLog.Verdict.APPROVED
    refused_postback.refresh_from_db()
    assert refused_postback.conversion is None


def test_replaying_twice_still_makes_one_conversion(manager_client, refused_postback, click):
    Affiliate.objects.filter(pk=click.affiliate_id).update(status=Affiliate.Status.ACTIVE)

    manager_client.post(f"/manage/postbacks/{refused_postback.pk}/replay/")
    second = manager_client.post(f"/manage/postbacks/{refused_postback.pk}/replay/", follow=True)

    assert Conversion.objects.count() == 1
    assert [log.reason for log in PostbackLog.objects.filter(replay_of=refused_postback).order_by("id")] == [
        "",
        "duplicate",
    ]
    assert b"rejected again (duplicate)" in second.content


def test_a_replay_before_the_cause_is_fixed_is_rejected_again(manager_client, refused_postback):
    response = manager_client.post(f"/manage/postbacks/{refused_postback.pk}/replay/", follow=True)

    assert not Conversion.objects.exists()
    assert PostbackLog.objects.get(replay_of=refused_postback).reason == "affiliate_not_allowed"
    assert b"rejected again (affiliate_not_allowed)" in response.content


def test_an_entry_refused_for_a_reason_only_the_sender_can_fix_has_no_replay(manager_client, client):
    client.get("/postback", {"security_token": SECURITY_TOKEN, "transaction_id": "f" * 32})
    log = PostbackLog.objects.get()

    page = manager_client.get(f"/manage/postbacks/{log.pk}/")
    response = manager_client.post(f"/manage/postbacks/{log.pk}/replay/", follow=True)

    assert b">Replay</button>" not in page.content
    assert b"can be replayed" in response.content
    assert PostbackLog.objects.count() == 1
