"""Where a tracking link may go: its offer (with the advertiser), its affiliate, and whether the affiliate may run
the offer. Read once and then kept for a few seconds in each process, so a click costs one database round trip
(the INSERT) instead of three.

How stale it can be: a change saved through the ORM (`save()`/`delete()` of an Offer, Advertiser, Affiliate or
OfferAccess: the services, the portal, the admin) empties this process's cache at once; other processes (every
gunicorn worker) see it within settings.TALLY_CLICK_CACHE_SECONDS (default 5 s). A bulk `QuerySet.update()` sends
no signal, so within that bound even this process may still use the old state. 0 turns the cache off.
"""

from dataclasses import dataclass
from time import monotonic

from django.conf import settings
from django.db.models import OuterRef, Subquery

from offers.models import Offer, OfferAccess, access_verdict
from partners.models import Affiliate

# A bound on memory: past this many (offer, affiliate) pairs the cache starts again from empty.
MAX_ENTRIES = 20000


@dataclass(frozen=True)
class ClickRoute:
    offer: Offer
    affiliate: Affiliate
    # The affiliate may run the offer (SPEC §2 OfferAccess); whether it is active is affiliate.is_active.
    may_run: bool


_routes: dict[tuple[int, int], tuple[float, ClickRoute]] = {}


def click_route(*, offer_id: int, aff_id: int) -> ClickRoute | None:
    """The route of a tracking link, or None when the offer or the affiliate does not exist (never cached)."""
    key = (offer_id, aff_id)
    now = monotonic()
    cached = _routes.get(key)
    if cached is not None and cached[0] > now:
        return cached[1]
    route = _load(offer_id, aff_id)
    ttl = settings.TALLY_CLICK_CACHE_SECONDS
    if route is not None and ttl > 0:
        if len(_routes) >= MAX_ENTRIES:
            _routes.clear()
        _routes[key] = (now + ttl, route)
    return route


def _load(offer_id, aff_id):
    """One query: the offer and its advertiser, with the affiliate's status and its access row's status."""
    offer = (
        Offer.objects.select_related("advertiser")
        .annotate(
            affiliate_status=Subquery(Affiliate.objects.filter(pk=aff_id).values("status")),
            access_status=Subquery(
                OfferAccess.objects.filter(offer=OuterRef("pk"), affiliate_id=aff_id).values("status")
            ),
        )
        .filter(pk=offer_id)
        .first()
    )
    if offer is None or offer.affiliate_status is None:
        return None
    affiliate = Affiliate(pk=aff_id, status=offer.affiliate_status)
    access = OfferAccess(status=offer.access_status) if offer.access_status else None
    return ClickRoute(offer=offer, affiliate=affiliate, may_run=access_verdict(offer, affiliate, access))


def forget_click_routes(**kwargs):
    """Signal receiver: a saved or deleted offer, advertiser, affiliate or access row empties the cache."""
    _routes.clear()
