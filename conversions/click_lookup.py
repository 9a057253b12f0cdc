"""The postback's one read: a click by transaction ID, with everything the rules need, in a single query.

The click, its offer and the offer's advertiser, its affiliate (the fields the rules read: FIELDS), the affiliate's
access row on the offer (LEFT JOIN) and whether the affiliate has any postback URL. The SQL (core.sql.JoinedLookup)
is written once per database connection from the models' meta (every value a bound parameter), not compiled by
the ORM on each postback: that compilation took more time than the query itself (a profile of the benchmark).
Rows become model instances as the ORM makes them (core.sql.Columns).
"""

from dataclasses import dataclass

from conversions.models import AffiliatePostback
from core.sql import JoinedLookup
from offers.models import Offer, OfferAccess
from partners.models import Advertiser, Affiliate
from tracking.models import Click
from tracking.transaction_ids import legacy_before, time_of


@dataclass
class ClickFound:
    click: Click  # with .offer, .offer.advertiser and .affiliate loaded
    access: OfferAccess | None  # the affiliate's access row on the offer (status and payout), if it has one
    has_postback: bool  # whether the affiliate has any postback URL


# The fields the postback rules read; the rest stay deferred (read on first use, a query each: tests/conversions/
# test_lookup.py counts the queries). Fewer columns to send, convert and set on each postback.
FIELDS = {
    # ip and the sub IDs: the blocklists; created_at and country: the conversion rules (docs/postbacks.md).
    Click: [
        "id", "transaction_id", "offer", "affiliate", "expires_at", "created_at", "ip", "aff_sub", "aff_sub2",
        "aff_sub3", "aff_sub4", "aff_sub5", "source", "aff_click_id", "country",
    ],
    Offer: [
        "id", "advertiser", "status", "visibility", "currency", "payout_type", "payout", "revenue_type", "revenue",
        "allow_multiple_conversions", "conversion_approval", "daily_cap", "monthly_cap", "too_fast_seconds",
        "too_fast_action", "country_mismatch_action",
    ],
    Advertiser: [
        "id", "status", "security_token", "token_required", "postback_ip_allowlist", "signing_secret",
        "signing_secret_previous", "require_signature",
    ],
    Affiliate: ["id", "status", "is_test"],
}  # fmt: skip

_JOINS = {
    "related": {"offer": FIELDS[Offer], "offer__advertiser": FIELDS[Advertiser], "affiliate": FIELDS[Affiliate]},
    # The access row of the click's affiliate on the click's offer (one at most), and any postback URL of the
    # affiliate.
    "optional": (OfferAccess, ("offer", "affiliate"), ["status", "payout"]),
    "exists": (AffiliatePostback, ("affiliate",)),
}
# A v7 ID carries its click's created_at (docs/storage.md, Transaction IDs): on PostgreSQL the lookup reads the one
# partition of that day.
_BY_TIME = JoinedLookup(Click, FIELDS[Click], where=("transaction_id", "created_at"), **_JOINS)
# Any other ID, or a v7-shaped one not found by its time: a legacy random ID, only among the clicks made before v7
# IDs (docs/storage.md, Older transaction IDs), so an unknown ID never reads every partition.
_LEGACY = JoinedLookup(Click, FIELDS[Click], where=("transaction_id", "created_at__lt"), **_JOINS)


def click_for_postback(transaction_id) -> ClickFound | None:
    """The click with this transaction ID and what the postback rules read about it, or None."""
    at = time_of(transaction_id)
    found = _BY_TIME.fetch((transaction_id, at)) if at is not None else None
    if found is None:
        found = _LEGACY.fetch((transaction_id, legacy_before()))
    if found is None:
        return None
    click = found.instance
    access_status, access_payout = found.optional
    access = None
    if access_status is not None:
        access = OfferAccess(offer=click.offer, affiliate=click.affiliate, status=access_status, payout=access_payout)
    return ClickFound(click, access, found.exists)
