"""The client's address (core.http.client_ip) from TALLY_TRUSTED_PROXY_COUNT: the Nth X-Forwarded-For entry from
the right, never an entry a client could have written itself. Clicks store it, postback allowlists check it, rate
limits count by it (end-to-end tests of those in tests/tracking/test_click.py, tests/conversions/
test_postback_rules.py and tests/security/test_ratelimit.py)."""

import pytest
from django.test import RequestFactory

from core.http import client_ip

PEER = "10.0.0.5"


def ip(proxies, forwarded=None, remote_addr=PEER, settings=None):
    settings.TALLY_TRUSTED_PROXY_COUNT = proxies
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/click", **extra))


@pytest.mark.parametrize(
    "proxies, forwarded, expected",
    [
        # No trusted proxy: the socket's address, whatever the header says.
        (0, "203.0.113.66", PEER),
        (0, "203.0.113.66, 198.51.100.1", PEER),
        # One proxy: the entry it appended (the last); anything left of it is the client's say-so.
        (1, "203.0.113.66", "203.0.113.66"),
        (1, "6.6.6.6, 203.0.113.66", "203.0.113.66"),
        (1, "  6.6.6.6 ,203.0.113.66  ", "203.0.113.66"),
        (1, "6.6.6.6, 203.0.113.66,", "203.0.113.66"),  # an empty trailing entry is not an entry
        # Two proxies: the second entry from the right.
        (2, "6.6.6.6, 203.0.113.66, 10.0.0.4", "203.0.113.66"),
        # Fewer entries than proxies: the request did not come through them all; the socket is all we know.
        (2, "203.0.113.66", PEER),
        (3, "6.6.6.6, 203.0.113.66", PEER),
        (1, "", PEER),
        (1, None, PEER),
        # IPv6, written the way proxies write it.
        (1, "2001:db8::1", "2001:db8::1"),
        (1, "2001:DB8:0:0::1", "2001:db8::1"),
        (0, None, "2001:db8::7"),
    ],
)
def test_the_client_address_is_taken_only_from_trusted_proxies(settings, proxies, forwarded, expected):
    remote = "2001:db8::7" if expected == "2001:db8::7" else PEER

    assert ip(proxies, forwarded, remote_addr=remote, settings=settings) == expected


@pytest.mark.parametrize(
    "forwarded",
    ["not-an-ip", "203.0.113.66:51234", "[2001:db8::1]:443", "unknown", "<script>", "203.0.113.666", "\x00"],
)
def test_an_entry_that_is_not_an_address_gives_no_address_rather_than_garbage(settings, forwarded):
    assert ip(1, forwarded, settings=settings) is None


def test_a_socket_address_that_is_not_an_address_gives_none(settings):
    assert ip(0, remote_addr="unix:/run/gunicorn.sock", settings=settings) is None
    assert ip(0, remote_addr="", settings=settings) is None
