"""The blocklists in memory (README, Traffic quality): every BlockEntry, compiled once per process into sets, so a
click asks them without a query and in time that does not grow with the number of entries.

IPs are a set of canonical addresses; networks are grouped by (IP version, prefix length) into sets of network
numbers, so an address is tested with one shift and one set lookup per prefix length in use (at most 33 for IPv4,
129 for IPv6; a list of a thousand networks usually has a handful), never against each network in turn.

How stale it can be: saving or deleting an entry through the ORM (the services, the portal, the admin) empties this
process's copy at once; other processes (every web worker) check for a change every TALLY_CLICK_CACHE_SECONDS
(default 5 s) with one small query (the entries' count and latest change) and rebuild only when it moved. 0 turns
the cache off (a query per click). A bulk `QuerySet.update()`/`delete()` sends no signal: within that bound even
this process may still use the old lists.
"""

from dataclasses import dataclass, field
from threading import Lock
from time import monotonic

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.db.models import Count, Max

from quality.lookups import parsed_ip
from quality.models import BlockEntry


@dataclass
class Scope:
    """The entries of one scope: network-wide, or one offer's."""

    ips: set = field(default_factory=set)
    # {(version, prefix length): {network number >> (bits - prefix length)}}
    networks: dict = field(default_factory=dict)
    affiliates: set = field(default_factory=set)
    aff_subs: set = field(default_factory=set)
    sources: set = field(default_factory=set)

    def add(self, kind, value):
        if kind == BlockEntry.Kind.IP:
            self.ips.add(value)
        elif kind == BlockEntry.Kind.CIDR:
            address, _, prefix = value.partition("/")
            ip = parsed_ip(address)
            if ip is None or not prefix.isdigit():
                return
            prefix, bits = int(prefix), ip.max_prefixlen
            self.networks.setdefault((ip.version, prefix), set()).add(int(ip) >> (bits - prefix))
        elif kind == BlockEntry.Kind.AFFILIATE:
            self.affiliates.add(int(value))
        elif kind == BlockEntry.Kind.AFF_SUB:
            self.aff_subs.add(value)
        elif kind == BlockEntry.Kind.SOURCE:
            self.sources.add(value)

    def match(self, *, affiliate_id, ip, subs):
        """The kind of the first entry that matches, or None."""
        if affiliate_id in self.affiliates:
            return BlockEntry.Kind.AFFILIATE
        if self.aff_subs and subs.get("aff_sub") in self.aff_subs:
            return BlockEntry.Kind.AFF_SUB
        if self.sources and subs.get("source") in self.sources:
            return BlockEntry.Kind.SOURCE
        if ip and ip in self.ips:
            return BlockEntry.Kind.IP
        if self.networks and ip:
            address = parsed_ip(ip)
            if address is not None:
                number, bits = int(address), address.max_prefixlen
                for (version, prefix), numbers in self.networks.items():
                    if version == address.version and (number >> (bits - prefix)) in numbers:
                        return BlockEntry.Kind.CIDR
        return None


@dataclass
class Blocklists:
    network: Scope
    offers: dict  # {offer_id: Scope}
    fingerprint: tuple

    def match(self, *, offer_id, affiliate_id, ip, subs):
        """The kind of the first entry (network-wide first) that matches a click, or None."""
        found = self.network.match(affiliate_id=affiliate_id, ip=ip, subs=subs)
        if found is None and offer_id in self.offers:
            found = self.offers[offer_id].match(affiliate_id=affiliate_id, ip=ip, subs=subs)
        return found


_lock = Lock()
_state = {"lists": None, "checked_until": 0.0}


def _fingerprint():
    found = BlockEntry.objects.aggregate(count=Count("id"), changed=Max("updated_at"), last=Max("id"))
    return (found["count"], found["changed"], found["last"])


def _build():
    """The lists from one query; their fingerprint from the same rows (what _fingerprint would answer)."""
    rows = list(BlockEntry.objects.values_list("id", "updated_at", "offer_id", "kind", "value"))
    fingerprint = (len(rows), max((row[1] for row in rows), default=None), max((row[0] for row in rows), default=None))
    lists = Blocklists(network=Scope(), offers={}, fingerprint=fingerprint)
    for _, _, offer_id, kind, value in rows:
        scope = lists.network if offer_id is None else lists.offers.setdefault(offer_id, Scope())
        scope.add(kind, value)
    return lists


def current_blocklists() -> Blocklists:
    """This process's blocklists: no query while fresh; after TALLY_CLICK_CACHE_SECONDS one query to see whether
    they changed, and a rebuild (one more) only when they did. The first call of a process: one query."""
    now = monotonic()
    lists = _state["lists"]
    if lists is not None and _state["checked_until"] > now:
        return lists
    with _lock:
        try:
            if lists is None or lists.fingerprint != _fingerprint():
                lists = _build()
        except (OperationalError, InterfaceError):
            # The database is down (tracking/outage.py): keep what this process had, or nothing, and ask again
            # at the next call; such clicks can't be stored anyway, a postback can't be recorded.
            return lists or Blocklists(network=Scope(), offers={}, fingerprint=())
        ttl = settings.TALLY_CLICK_CACHE_SECONDS
        _state["lists"] = lists if ttl > 0 else None
        _state["checked_until"] = now + ttl
    return lists


def forget_blocklists(**kwargs):
    """Signal receiver (and tests): a saved or deleted entry empties this process's blocklists."""
    _state["lists"] = None
    _state["checked_until"] = 0.0
