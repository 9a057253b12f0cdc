"""What a click's IP and user agent say (quality.lookups): country, device type, OS, bot."""

import pytest

from quality import lookups
from quality.services import country_of
from tests.quality import helpers as h


@pytest.mark.parametrize(
    ("ip", "country"),
    [
        (h.US_IPV4, "US"),
        (h.GB_IPV4, "GB"),
        (h.DE_IPV4, "DE"),
        (h.US_IPV6, "US"),
        (h.DE_IPV6, "DE"),
    ],
)
def test_the_country_of_an_ipv4_or_ipv6_address_comes_from_the_offline_database(ip, country):
    assert country_of(ip) == country


@pytest.mark.parametrize(
    "ip", [None, "", h.PRIVATE_IPV4, "127.0.0.1", "::1", "fe80::1", "not-an-ip", "999.1.1.1", "1.2.3.4:80", "\x00"]
)
def test_no_malformed_private_or_missing_address_has_a_country(ip):
    assert country_of(ip) == ""


def test_without_a_country_database_every_country_is_unknown_and_nothing_raises(settings, tmp_path):
    settings.TALLY_COUNTRY_DB = tmp_path / "missing.mmdb"
    lookups.forget_country_database()
    try:
        assert country_of(h.US_IPV4) == ""
        assert country_of(h.US_IPV6) == ""
    finally:
        lookups.forget_country_database()  # the next test opens the real one again


@pytest.mark.parametrize(
    ("agent", "device", "os"),
    [
        (h.DESKTOP_WINDOWS, "desktop", "windows"),
        (h.DESKTOP_MAC, "desktop", "macos"),
        (h.DESKTOP_LINUX, "desktop", "linux"),
        (h.IPHONE, "mobile", "ios"),
        (h.ANDROID_PHONE, "mobile", "android"),
        (h.IPAD, "tablet", "ios"),
        (h.ANDROID_TABLET, "tablet", "android"),
    ],
)
def test_device_type_and_os_come_from_the_user_agent(agent, device, os):
    traits = lookups.traits_of(agent)
    assert (traits.device, traits.os, traits.bot) == (device, os, False)


@pytest.mark.parametrize("agent", [h.GOOGLEBOT, h.FACEBOOK_PREVIEW, h.SLACK_PREVIEW, "curl/8.4.0"])
def test_crawlers_and_link_previewers_are_bots(agent):
    assert lookups.traits_of(agent).bot is True


@pytest.mark.parametrize("agent", ["", "   ", "x" * 5000, "\x00\x01\x02", "Mozilla/5.0 (" * 300, "ÿ" * 1000])
def test_empty_or_absurd_user_agents_are_of_unknown_device_and_os_and_no_bot(agent):
    traits = lookups.traits_of(agent)
    assert (traits.device, traits.os) == ("", "")
