"""Traffic quality (README, Traffic quality): the verdict on a click, the blocklists' writes, the refusal counts.

`country_of` and `session_block_reason` are what the postback side asks (docs/postbacks.md); `click_screen` is
what the click asks (docs/clicks.md#traffic-quality). None of them queries the database while the in-process
caches are fresh (quality.blocklist explains how stale they may be).
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from audit.services import audit_created, audit_deleted
from core.db import assign_and_save
from core.sql import upsert_count
from quality import lookups
from quality.blocklist import current_blocklists
from quality.models import BlockEntry, RefusedClickCount, normalize_block_value


def country_of(ip: str | None) -> str:
    """The ISO 3166-1 alpha-2 country of an IPv4 or IPv6 address from the offline country database (README,
    Traffic quality), or "" when it can't be told: no address, a malformed one, a private or reserved range, an
    address the database doesn't place, or no database installed. Never raises; no query, in-process."""
    return lookups.country_of(ip)


def session_block_reason(*, offer, affiliate, ip: str | None, subs: dict) -> str | None:
    """Which blocklist entry kind matches a session (a click's offer, affiliate, IP and sub values), or None when
    none does: "affiliate", "aff_sub", "source", "ip" or "cidr", network-wide entries first, then the offer's.

    `subs` maps sub field names to values; only "aff_sub" and "source" are consulted (missing keys match nothing).
    `ip` may be None or malformed (then IP and network entries match nothing). No query while the in-process
    blocklists are fresh (quality.blocklist: at most TALLY_CLICK_CACHE_SECONDS stale in other processes)."""
    return current_blocklists().match(
        offer_id=getattr(offer, "pk", offer),
        affiliate_id=getattr(affiliate, "pk", affiliate),
        ip=ip,
        subs=subs or {},
    )


@dataclass(frozen=True)
class Screening:
    """What click_screen found: the refusal reason (a RefusedClickCount.Reason value, None when the click may
    go on), why in words (for the refusal page and logs), and the traits to store on the click."""

    reason: str | None
    detail: str
    country: str
    device: str
    os: str


def click_screen(*, offer, affiliate, ip: str | None, user_agent: str, subs: dict) -> Screening:
    """The traffic-quality verdict on a click (docs/clicks.md#traffic-quality), in this order: a blocklist entry
    (`blocked`), a bot or link previewer (`bot`: redirected, but not a session), the offer's countries (`geo`),
    its device types and operating systems (`device`).

    Defaults for what can't be told: an unknown country (no, malformed or private IP) fails an allowed-countries
    list and passes a blocked-countries one; an unknown device or OS (an empty or unparseable user agent) fails a
    device or OS list. No query while the in-process caches are fresh."""
    traits = lookups.traits_of(user_agent)
    country = lookups.country_of(ip)
    found = current_blocklists().match(offer_id=offer.pk, affiliate_id=affiliate.pk, ip=ip, subs=subs)

    def verdict(reason, detail):
        return Screening(reason=reason, detail=detail, country=country, device=traits.device, os=traits.os)

    if found is not None:
        return verdict(RefusedClickCount.Reason.BLOCKED, f"blocked ({found})")
    if traits.bot:
        return verdict(RefusedClickCount.Reason.BOT, "bot or link preview")
    if country in offer.blocked_countries or (offer.allowed_countries and country not in offer.allowed_countries):
        return verdict(RefusedClickCount.Reason.GEO, f"country {country or 'unknown'} not targeted")
    if offer.allowed_devices and traits.device not in offer.allowed_devices:
        return verdict(RefusedClickCount.Reason.DEVICE, f"device {traits.device or 'unknown'} not targeted")
    if offer.allowed_os and traits.os not in offer.allowed_os:
        return verdict(RefusedClickCount.Reason.DEVICE, f"OS {traits.os or 'unknown'} not targeted")
    return verdict(None, "")


def refused_click_count(*, offer_id: int, affiliate_id: int, reason: str, now=None) -> None:
    """Count one refused click in its hour's RefusedClickCount row: one INSERT ... ON CONFLICT DO UPDATE, atomic
    under concurrent clicks (the row's unique constraint, not a read-then-write)."""
    hour = (now or timezone.now()).replace(minute=0, second=0, microsecond=0)
    upsert_count(
        RefusedClickCount,
        key={"hour": hour, "offer_id": offer_id, "affiliate_id": affiliate_id, "reason": reason},
        counter="count",
    )


# --- Blocklist entries ------------------------------------------------------------------------------------------


def block_entry_add(*, kind: str, value: str = "", offer=None, affiliate=None, note: str = "") -> BlockEntry:
    """Add one blocklist entry (network-wide when offer is None). For kind=affiliate pass `affiliate`; otherwise
    `value`, normalized (normalize_block_value). Raises ValidationError for a bad value or an entry that exists."""
    entry = BlockEntry(offer=offer, kind=kind, note=note)
    if kind == BlockEntry.Kind.AFFILIATE:
        entry.affiliate, entry.value = affiliate, str(getattr(affiliate, "pk", "") or "")
    else:
        entry.value = normalize_block_value(kind, value)
    with transaction.atomic():
        assign_and_save(entry, {}, ())
        audit_created(entry, related=[offer, affiliate])
        return entry


@transaction.atomic
def block_entry_delete(*, entry: BlockEntry) -> None:
    audit_deleted(entry, related=[entry.offer, entry.affiliate])
    entry.delete()
