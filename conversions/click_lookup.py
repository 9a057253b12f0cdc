"""The postback's one read: a click by transaction ID, with everything the rules need, in a single query.

The click, its offer and the offer's advertiser, its affiliate (the fields the rules read: FIELDS), the affiliate's
access row on the offer (LEFT JOIN) and whether the affiliate has any postback URL. The SQL is written once per
database connection from the models' meta (every value a bound parameter), not compiled by the ORM on each
postback: that compilation took more time than the query itself (issue #7's profile). Rows become model instances
as the ORM makes them (core.db.Columns).
"""

import functools
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections

from conversions.models import AffiliatePostback
from core.db import Columns
from offers.models import Offer, OfferAccess
from partners.models import Advertiser, Affiliate
from tracking.models import Click


@dataclass
class ClickFound:
    click: Click  # with .offer, .offer.advertiser and .affiliate loaded
    access: OfferAccess | None  # the affiliate's access row on the offer (status and payout), if it has one
    has_postback: bool  # whether the affiliate has any postback URL


# The fields the postback rules read; the rest stay deferred (read on first use, a query each: tests/conversions/
# test_lookup.py counts the queries). Fewer columns to send, convert and set on each postback.
FIELDS = {
    Click: ["id", "transaction_id", "offer", "affiliate", "expires_at"],
    Offer: [
        "id", "advertiser", "status", "visibility", "currency", "payout_type", "payout", "revenue_type", "revenue",
        "allow_multiple_conversions", "conversion_approval", "daily_cap", "monthly_cap",
    ],
    Advertiser: [
        "id", "status", "security_token", "postback_ip_allowlist", "signing_secret", "signing_secret_previous",
        "require_signature",
    ],
    Affiliate: ["id", "status", "is_test"],
}  # fmt: skip


class _Query:
    def __init__(self, connection):
        qn = connection.ops.quote_name
        self.parts = [
            Columns(model, alias, connection, fields=FIELDS[model])
            for model, alias in ((Click, "c"), (Offer, "o"), (Advertiser, "adv"), (Affiliate, "aff"))
        ]
        self.access = Columns(OfferAccess, "acc", connection, fields=["status", "payout"])

        def table(model):
            return qn(model._meta.db_table)

        select = ", ".join(part.sql for part in [*self.parts, self.access])
        has_postback = f"EXISTS (SELECT 1 FROM {table(AffiliatePostback)} p WHERE p.affiliate_id = c.affiliate_id)"  # noqa: S608
        self.sql = (
            f"SELECT {select}, {has_postback}"  # noqa: S608 -- names from the models' meta only
            f" FROM {table(Click)} c"
            f" JOIN {table(Offer)} o ON o.id = c.offer_id"
            f" JOIN {table(Advertiser)} adv ON adv.id = o.advertiser_id"
            f" JOIN {table(Affiliate)} aff ON aff.id = c.affiliate_id"
            f" LEFT JOIN {table(OfferAccess)} acc ON acc.offer_id = c.offer_id AND acc.affiliate_id = c.affiliate_id"
            " WHERE c.transaction_id = %s"
        )


@functools.lru_cache(maxsize=32)
def _query(connection):
    """One per database connection object (one per thread): converters are bound to a connection's backend."""
    return _Query(connection)


def click_for_postback(transaction_id) -> ClickFound | None:
    """The click with this transaction ID and what the postback rules read about it, or None."""
    connection = connections[DEFAULT_DB_ALIAS]  # this thread's connection (the cache key), not the proxy
    query = _query(connection)
    with connection.cursor() as cursor:
        cursor.execute(query.sql, [transaction_id])
        row = cursor.fetchone()
    if row is None:
        return None
    start, instances = 0, []
    for part in query.parts:
        instances.append(part.instance(row, start, connection))
        start += len(part.fields)
    click, offer, advertiser, affiliate = instances
    offer.advertiser = advertiser
    click.offer, click.affiliate = offer, affiliate
    access_status, access_payout = query.access.values(row, start, connection)
    access = None
    if access_status is not None:
        access = OfferAccess(offer=offer, affiliate=affiliate, status=access_status, payout=access_payout)
    return ClickFound(click, access, bool(row[-1]))
