"""Each kind of change a person makes through the services is recorded once, with field, old and new value, inside
the change's own transaction; secrets only as "rotated"."""

import json
from decimal import Decimal

import pytest
from django.db import transaction

from audit.models import AuditEntry
from conversions.models import Conversion
from conversions.services import conversion_set_status
from offers import services as offers
from offers.models import OfferAccess
from partners import services as partners
from tests import factories

pytestmark = pytest.mark.django_db


def entries(obj=None):
    queryset = AuditEntry.objects.order_by("seq")
    if obj is not None:
        queryset = queryset.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    return list(queryset)


def change(entry, field):
    return next(c for c in entry.changes if c["field"] == field)


def test_an_offer_payout_edit_is_recorded_with_its_old_and_new_value():
    offer = factories.OfferFactory(payout=Decimal("2.00"))

    offers.offer_update(offer=offer, payout=Decimal("2.50"))

    [entry] = entries(offer)
    assert entry.action == "update"
    assert change(entry, "payout") == {"field": "payout", "old": "2.00", "new": "2.50"}
    assert [c["field"] for c in entry.changes] == ["payout"]
    assert entry.actor_name == "system" and entry.ip is None  # no request: a task or a command


def test_the_old_value_is_the_stored_one_even_when_a_form_already_changed_the_instance():
    offer = factories.OfferFactory(name="Before")
    offer.name = "After"  # what a ModelForm's is_valid() does to its instance

    offers.offer_update(offer=offer)

    [entry] = entries(offer)
    assert change(entry, "name") == {"field": "name", "old": "Before", "new": "After"}


def test_saving_without_a_change_records_nothing():
    offer = factories.OfferFactory()

    offers.offer_update(offer=offer, name=offer.name)

    assert entries(offer) == []


def test_an_offer_made_through_the_service_is_recorded_as_created():
    advertiser = factories.AdvertiserFactory()

    offer = offers.offer_create(
        advertiser=advertiser, name="New", destination_url="https://shop.example/?t={transaction_id}", payout="3"
    )

    [entry] = entries(offer)
    assert entry.action == "create"
    assert change(entry, "name")["new"] == "New" and change(entry, "advertiser")["new"] == advertiser.pk
    assert change(entry, "payout") == {"field": "payout", "old": None, "new": "3"}


def test_goal_changes_are_recorded_and_show_in_their_offers_history():
    offer = factories.OfferFactory()

    goal = offers.goal_create(offer=offer, name="deposit", payout=Decimal("1"))
    offers.goal_update(goal=goal, name="first deposit")
    offers.goal_delete(goal=goal)

    created, updated, deleted = entries()
    assert (created.action, updated.action, deleted.action) == ("create", "update", "delete")
    assert change(updated, "name") == {"field": "name", "old": "deposit", "new": "first deposit"}
    assert change(deleted, "name") == {"field": "name", "old": "first deposit", "new": None}
    assert all(f" offers.offer:{offer.pk} " in e.related for e in (created, updated, deleted))


def test_offer_access_decisions_and_requests_are_recorded_for_the_offer_and_the_affiliate():
    offer = factories.OfferFactory(visibility="approval_required")
    affiliate = factories.AffiliateFactory()

    offers.offer_access_request(offer=offer, affiliate=affiliate)
    access = offers.offer_access_set(offer=offer, affiliate=affiliate, status="approved", payout=Decimal("4"))

    requested, approved = entries(access)
    assert requested.action == "create" and change(requested, "status")["new"] == "pending"
    assert approved.action == "update"
    assert change(approved, "status") == {"field": "status", "old": "pending", "new": "approved"}
    assert change(approved, "payout") == {"field": "payout", "old": None, "new": "4"}
    assert f"offers.offer:{offer.pk}" in approved.related and f"partners.affiliate:{affiliate.pk}" in approved.related


def test_granting_access_with_no_row_yet_is_one_creation():
    offer, affiliate = factories.OfferFactory(visibility="private"), factories.AffiliateFactory()

    access = offers.offer_access_set(offer=offer, affiliate=affiliate, status=OfferAccess.Status.APPROVED)

    [entry] = entries(access)
    assert entry.action == "create" and change(entry, "status")["new"] == "approved"


def test_advertiser_and_affiliate_edits_and_status_changes_are_recorded():
    advertiser = partners.advertiser_create(name="Acme")
    partners.advertiser_update(advertiser=advertiser, name="Acme Shop")
    partners.advertiser_set_status(advertiser=advertiser, status="suspended")
    affiliate = partners.affiliate_create(name="Blue", status="pending")
    partners.affiliate_update(affiliate=affiliate, website="https://blue.example")
    partners.affiliate_application_approve(affiliate=affiliate, site_url="https://t.example")

    made, renamed, suspended = entries(advertiser)
    assert made.action == "create" and change(made, "security_token") == {
        "field": "security_token",
        "old": "",
        "new": "set",
        "secret": True,
    }
    assert change(renamed, "name") == {"field": "name", "old": "Acme", "new": "Acme Shop"}
    assert suspended.action == "status" and change(suspended, "status")["new"] == "suspended"
    _, site, approved = entries(affiliate)
    assert change(site, "website") == {"field": "website", "old": "", "new": "https://blue.example"}
    assert approved.action == "status" and approved.note == "application approved"
    assert change(approved, "status") == {"field": "status", "old": "pending", "new": "active"}


def test_rotated_tokens_and_secrets_are_shown_as_rotated_never_their_values():
    advertiser = factories.AdvertiserFactory()
    affiliate = factories.AffiliateFactory()
    old_token, old_secret = advertiser.security_token, affiliate.postback_secret

    partners.advertiser_rotate_token(advertiser=advertiser)
    partners.advertiser_rotate_signing_secret(advertiser=advertiser)
    partners.advertiser_rotate_signing_secret(advertiser=advertiser)
    rotated = partners.affiliate_rotate_postback_secret(affiliate=affiliate)
    partners.advertiser_clear_token(advertiser=advertiser)

    token, first_secret, second_secret, cleared = entries(advertiser)
    assert token.action == "rotate" and token.changes == [
        {"field": "security_token", "old": "", "new": "rotated", "secret": True}
    ]
    assert {c["field"]: c["new"] for c in first_secret.changes} == {"signing_secret": "set"}
    assert {c["field"]: c["new"] for c in second_secret.changes} == {
        "signing_secret": "rotated",
        "signing_secret_previous": "set",
    }
    assert change(cleared, "security_token")["new"] == "removed"
    assert change(cleared, "token_required") == {"field": "token_required", "old": True, "new": False}
    [postback] = entries(affiliate)
    assert postback.action == "rotate" and change(postback, "postback_secret")["new"] == "rotated"
    advertiser.refresh_from_db()
    stored = json.dumps([e.changes for e in AuditEntry.objects.all()])
    for value in (old_token, old_secret, rotated.postback_secret, advertiser.signing_secret):
        assert value and value not in stored


def test_a_conversion_status_change_is_recorded_with_who_and_the_reason(manager):
    conversion = factories.ConversionFactory(status=Conversion.Status.PENDING)

    conversion_set_status(conversion=conversion, status="rejected", reason="fraud", user=manager)

    [entry] = entries(conversion)
    assert entry.action == "status" and entry.note == "fraud"
    assert entry.actor_name == manager.username and entry.actor_id == manager.pk
    assert change(entry, "status") == {"field": "status", "old": "pending", "new": "rejected"}
    assert change(entry, "status_reason") == {"field": "status_reason", "old": "", "new": "fraud"}


def test_an_invitation_is_recorded_on_its_partner(manager):
    affiliate = factories.AffiliateFactory()

    partners.member_invite(email="pat@blue.example", affiliate=affiliate, site_url="https://t", invited_by=manager)

    [entry] = entries(affiliate)
    assert entry.action == "invite" and entry.actor_name == manager.username
    assert entry.changes == [{"field": "invited", "old": None, "new": "pat@blue.example"}]


def test_a_change_that_rolls_back_leaves_no_entry():
    offer = factories.OfferFactory(payout=Decimal("2.00"))

    with pytest.raises(RuntimeError), transaction.atomic():
        offers.offer_update(offer=offer, payout=Decimal("9.00"))
        assert len(entries(offer)) == 1
        raise RuntimeError("the caller fails after the service")

    assert entries(offer) == []
    offer.refresh_from_db()
    assert offer.payout == Decimal("2.00")


def test_a_refused_change_leaves_no_entry():
    offer = factories.OfferFactory()

    with pytest.raises(Exception):  # noqa: B017 -- full_clean refuses a negative payout
        offers.offer_update(offer=offer, payout=Decimal("-1"))

    assert entries(offer) == []


def test_entries_are_numbered_and_chained_in_order():
    offer = factories.OfferFactory()
    for payout in ("1", "2", "3"):
        offers.offer_update(offer=offer, payout=Decimal(payout))

    first, second, third = entries()
    assert [e.seq for e in (first, second, third)] == [1, 2, 3]
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
