"""Where a tracking link may go: its offer (with the advertiser), its affiliate, and whether the affiliate may run
the offer. Offers (with their access rows) and affiliates are read once and then kept for a few seconds in each
process, so a click costs one database round trip (the INSERT) instead of three.

Entries are kept per offer and per affiliate, not per (offer, affiliate) pair, so a worker holds as many entries as
there are offers and affiliates getting traffic, and a new pair of known ones costs no query.

How stale it can be: a change saved through the ORM (`save()`/`delete()` of an Offer, Advertiser, Affiliate or
OfferAccess: the services, the portal, the admin) empties this process's cache at once; other processes (every
gunicorn worker) see it within settings.TALLY_CLICK_CACHE_SECONDS (default 5 s). A bulk `QuerySet.update()` sends
no signal, so within that bound even this process may still use the old state. 0 turns the cache off.
"""

from dataclasses import dataclass
from time import monotonic

from django.conf import settings

from offers.models import Offer, OfferAccess, access_verdict
from partners.models import Affiliate

# A bound on memory: past this many offers (or affiliates) a cache starts again from empty.
MAX_ENTRIES = 20000


@dataclass(frozen=True)
class ClickRoute:
    offer: Offer
    affiliate: Affiliate
    # The affiliate may run the offer (docs/clicks.md#offer-access); whether it is active is affiliate.is_active.
    may_run: bool


@dataclass(frozen=True)
class _OfferEntry:
    offer: Offer
    # access_verdict() of each affiliate that has an access row on the offer; others get `default`.
    verdicts: dict
    default: bool


_offers: dict[int, tuple[float, _OfferEntry]] = {}
_affiliates: dict[int, tuple[float, Affiliate]] = {}


def click_route(*, offer_id: int, aff_id: int) -> ClickRoute | None:
    """The route of a tracking link, or None when the offer or the affiliate does not exist (never cached)."""
    entry = _cached(_offers, offer_id, _load_offer)
    if entry is None:
        return None
    affiliate = _cached(_affiliates, aff_id, _load_affiliate)
    if affiliate is None:
        return None
    return ClickRoute(offer=entry.offer, affiliate=affiliate, may_run=entry.verdicts.get(aff_id, entry.default))


def click_route_last_seen(*, offer_id: int, aff_id: int) -> ClickRoute | None:
    """The route this process last loaded for a tracking link, however stale, or None; never asks the database.
    Only for when the database can't be asked (tracking.outage): a change saved since by another process is
    not seen."""
    offer_hit, affiliate_hit = _offers.get(offer_id), _affiliates.get(aff_id)
    if offer_hit is None or affiliate_hit is None:
        return None
    entry, affiliate = offer_hit[1], affiliate_hit[1]
    return ClickRoute(offer=entry.offer, affiliate=affiliate, may_run=entry.verdicts.get(aff_id, entry.default))


def _cached(cache, key, load):
    now = monotonic()
    hit = cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = load(key)
    ttl = settings.TALLY_CLICK_CACHE_SECONDS
    if value is not None and ttl > 0:
        if len(cache) >= MAX_ENTRIES:
            cache.clear()
        cache[key] = (now + ttl, value)
    return value


def _load_offer(offer_id):
    """Two queries: the offer with its advertiser, then the statuses of its access rows."""
    offer = Offer.objects.select_related("advertiser").filter(pk=offer_id).first()
    if offer is None:
        return None
    rows = OfferAccess.objects.filter(offer_id=offer_id).values_list("affiliate_id", "status")
    verdicts = {aff_id: access_verdict(offer, None, OfferAccess(status=status)) for aff_id, status in rows}
    return _OfferEntry(offer=offer, verdicts=verdicts, default=access_verdict(offer, None, None))


def _load_affiliate(aff_id):
    return Affiliate.objects.only("id", "status").filter(pk=aff_id).first()


def forget_click_routes(**kwargs):
    """Signal receiver: a saved or deleted offer, advertiser, affiliate or access row empties the cache."""
    _offers.clear()
    _affiliates.clear()
