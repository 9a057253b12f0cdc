"""What a click's IP and user agent say about it (README, Traffic quality): country, device type, OS, bot or not.

All in-process, no network: the country from an offline MaxMind-format database installed by npm
(@ip-location-db/geo-whois-asn-country-mmdb, CC0; `make country-db-refresh` updates it), device and OS from
ua-parser 1.x (with its Rust accelerator), bots and link previewers from crawlerdetect. A user agent's traits are
cached per process (a few thousand distinct agents make most traffic), so a click pays for parsing once per agent.
"""

import ipaddress
import logging
from dataclasses import dataclass
from functools import lru_cache

import maxminddb
from crawlerdetect import CrawlerDetect
from django.conf import settings
from ua_parser import parse_device, parse_os

from offers.targeting import Device, OperatingSystem

log = logging.getLogger(__name__)

# Longer user agents are cut before parsing: no real browser sends more, and it bounds the regex work per click.
MAX_AGENT_LENGTH = 512

_OS_FAMILIES = {
    "Windows": OperatingSystem.WINDOWS,
    "Windows Phone": OperatingSystem.OTHER,
    "Mac OS X": OperatingSystem.MACOS,
    "macOS": OperatingSystem.MACOS,
    "iOS": OperatingSystem.IOS,
    "iPadOS": OperatingSystem.IOS,
    "Android": OperatingSystem.ANDROID,
    "Chrome OS": OperatingSystem.CHROMEOS,
    "ChromeOS": OperatingSystem.CHROMEOS,
}
_LINUX_FAMILIES = {"Linux", "Ubuntu", "Debian", "Fedora", "Red Hat", "SUSE", "openSUSE", "Gentoo", "Mint", "Arch Linux"}
_MOBILE_OS = {OperatingSystem.IOS, OperatingSystem.ANDROID}
_TABLET_FAMILIES = {"iPad", "Kindle", "Kindle Fire", "Generic Tablet"}


@dataclass(frozen=True)
class Traits:
    """What a user agent says: device ("desktop", "mobile", "tablet", "" when unknown), os (an OperatingSystem
    value, "" when unknown) and whether it is a bot or link previewer."""

    device: str
    os: str
    bot: bool


_crawlers = CrawlerDetect()


@lru_cache(maxsize=4096)
def traits_of(user_agent: str) -> Traits:
    """The traits of a user agent (cached per process). An empty agent is no bot and of unknown device and OS (so
    an offer targeted at devices or OSes refuses it); garbage is the same."""
    agent = (user_agent or "").strip()[:MAX_AGENT_LENGTH]
    if not agent:
        return Traits(device="", os="", bot=False)
    found_device = parse_device(agent)
    if _crawlers.is_crawler(agent) or (found_device is not None and found_device.family == "Spider"):
        return Traits(device="", os="", bot=True)
    found_os = parse_os(agent)
    os = _os_key(found_os.family if found_os else "")
    return Traits(device=_device_type(agent, found_device, os), os=os, bot=False)


def _os_key(family):
    if not family or family == "Other":
        return ""
    if family in _LINUX_FAMILIES:
        return OperatingSystem.LINUX.value
    return _OS_FAMILIES.get(family, OperatingSystem.OTHER).value


def _device_type(agent, device, os):
    """ua-parser names a device but not its type: tablets by family or brand (and Android without "Mobile", as
    Android tablets announce themselves), phones by a mobile OS or a "Mobi" token, the rest of known OSes
    desktop. Unknown when neither the OS nor the device is known."""
    family = device.family if device else ""
    brand = (device.brand or "") if device else ""
    if family in _TABLET_FAMILIES or "Tablet" in brand or "Tablet" in agent:
        return Device.TABLET.value
    if os == OperatingSystem.ANDROID and "Mobile" not in agent:
        return Device.TABLET.value
    if os in _MOBILE_OS or "Mobi" in agent or (brand and brand != "Apple" and family not in ("", "Other")):
        return Device.MOBILE.value
    if os:
        return Device.DESKTOP.value
    return ""


@lru_cache(maxsize=1)
def _country_reader():
    """The country database, opened once per process (memory-mapped); None when it is missing, so clicks go on
    with an unknown country instead of failing."""
    path = settings.TALLY_COUNTRY_DB
    try:
        return maxminddb.open_database(str(path), maxminddb.MODE_AUTO)
    except (OSError, ValueError, maxminddb.InvalidDatabaseError) as error:
        log.warning("country database %s unreadable (%s): every country is unknown; run `make assets`", path, error)
        return None


def country_of(ip: str | None) -> str:
    """The ISO 3166-1 alpha-2 code of the country of an IPv4 or IPv6 address, "" when unknown (no address, a
    malformed one, a private or reserved range, or no database)."""
    if not ip:
        return ""
    reader = _country_reader()
    if reader is None:
        return ""
    try:
        record = reader.get(ip)
    except (ValueError, TypeError):  # not an address; a NUL byte is a TypeError
        return ""
    if not isinstance(record, dict):
        return ""
    code = record.get("country_code") or ""
    return code if isinstance(code, str) and len(code) == 2 else ""


def forget_country_database():
    """Reopen the country database at the next lookup (after `make country-db-refresh`, or in tests)."""
    _country_reader.cache_clear()


def parsed_ip(ip: str | None):
    """An ipaddress object, or None for no or a malformed address."""
    if not ip:
        return None
    try:
        return ipaddress.ip_address(ip)
    except ValueError:
        return None
