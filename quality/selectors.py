"""Reads of traffic quality (README, Traffic quality): blocklist entries, and refused-click counts for reports."""

from django.db.models import Sum

from core.scoping import restrict
from quality.models import BlockEntry, RefusedClickCount


def block_entry_list(*, user, offer=None):
    """Blocklist entries a user may see (managers: all; partners: none), with their offer and affiliate. With
    `offer`, that offer's entries only."""
    entries = restrict(BlockEntry.objects.select_related("offer", "affiliate"), user)
    if offer is not None:
        entries = entries.filter(offer=offer)
    return entries


def refused_click_list(*, user):
    """The refused-click rows a user may see: managers all, an affiliate its own, an advertiser its offers'."""
    return restrict(RefusedClickCount.objects.all(), user, affiliate="affiliate_id", advertiser="offer__advertiser_id")


def refused_clicks_by_reason(*, user, since=None, until=None, offer=None, affiliate=None, advertiser=None):
    """{reason: count} of the clicks refused for traffic quality in [since, until) (hours), optionally of one
    offer, affiliate or advertiser (ids or objects); every reason present, 0 when none."""
    rows = refused_click_list(user=user)
    if since is not None:
        rows = rows.filter(hour__gte=since)
    if until is not None:
        rows = rows.filter(hour__lt=until)
    if offer is not None:
        rows = rows.filter(offer=offer)
    if affiliate is not None:
        rows = rows.filter(affiliate=affiliate)
    if advertiser is not None:
        rows = rows.filter(offer__advertiser=advertiser)
    found = dict(rows.values_list("reason").annotate(total=Sum("count")).order_by())
    return {reason: found.get(reason, 0) for reason in RefusedClickCount.Reason.values}
