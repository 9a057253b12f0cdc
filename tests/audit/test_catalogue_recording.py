"""Coupon codes, creatives and blocklist entries in the audit trail: made, changed and removed, each on its offer's
History too."""

from datetime import date

import pytest

from audit.models import AuditEntry
from offers import services as offers
from quality.services import block_entry_add, block_entry_delete
from tests import factories

pytestmark = pytest.mark.django_db


def recorded(object_type):
    return list(AuditEntry.objects.filter(object_type=object_type).order_by("seq"))


def fields(entry, side):
    return {c["field"]: c[side] for c in entry.changes}


def test_a_coupon_made_changed_and_removed_is_recorded_on_its_offer():
    offer, affiliate = factories.OfferFactory(), factories.AffiliateFactory()

    coupon = offers.coupon_create(offer=offer, affiliate=affiliate, code="SPRING10")
    offers.coupon_update(coupon=coupon, valid_until=date(2030, 1, 31))
    offers.coupon_delete(coupon=coupon)

    made, changed, removed = recorded("offers.coupon")
    assert (made.action, changed.action, removed.action) == ("create", "update", "delete")
    assert fields(made, "new")["code"] == "SPRING10"
    assert changed.changes == [{"field": "valid_until", "old": None, "new": "2030-01-31"}]
    assert fields(removed, "old")["code"] == "SPRING10"
    assert all(f" offers.offer:{offer.pk} " in e.related for e in (made, changed, removed))


def test_a_refused_coupon_code_leaves_no_entry():
    existing = factories.CouponFactory(code="TAKEN")

    with pytest.raises(Exception):  # noqa: B017 -- the ValidationError of a code already used
        offers.coupon_create(offer=existing.offer, affiliate=existing.affiliate, code="taken")

    assert recorded("offers.coupon") == []


def test_a_creative_made_and_removed_is_recorded():
    offer = factories.OfferFactory()

    creative = offers.creative_create(offer=offer, kind="email", name="Launch mail", subject="Hi", text="Buy")
    offers.creative_delete(creative=creative)

    made, removed = recorded("offers.creative")
    assert fields(made, "new")["name"] == "Launch mail" and removed.action == "delete"
    assert f" offers.offer:{offer.pk} " in made.related


def test_blocklist_entries_added_and_removed_are_recorded():
    offer = factories.OfferFactory()

    entry = block_entry_add(kind="ip", value="203.0.113.7", offer=offer, note="chargebacks")
    block_entry_delete(entry=entry)

    added, removed = recorded("quality.blockentry")
    assert fields(added, "new")["value"] == "203.0.113.7" and added.action == "create"
    assert removed.action == "delete" and fields(removed, "old")["note"] == "chargebacks"
    assert f" offers.offer:{offer.pk} " in added.related
