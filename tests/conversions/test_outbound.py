"""The SSRF guard for affiliate postback URLs, and how Tally makes the request.

The table below sends no traffic anywhere: check_url only decides. Names are resolved by a stub resolver (the
system's DNS is never asked), and the request tests talk to a real server on 127.0.0.1 only.
"""

import socket

import pytest

from conversions import outbound
from conversions.outbound import UnsafeURL, check_url
from tests.receiver import Receiver, Reply

PUBLIC_V4 = "93.184.215.14"
PUBLIC_V6 = "2606:2800:21f:cb07:6820:80da:af6b:8b2c"


def stub_resolver(table):
    """A resolver that knows only `table` (name -> addresses) and records what it was asked."""

    def resolve(host, port):
        resolve.calls.append(host)
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return table[host]

    resolve.calls = []
    return resolve


REFUSED = [
    # scheme
    ("ftp://files.example/postback", "scheme"),
    ("file:///etc/passwd", "scheme"),
    ("gopher://127.0.0.1:6379/_FLUSHALL", "scheme"),
    ("javascript:alert(1)", "scheme"),
    ("http://user:pw@affiliate.example/pb", "credentials"),
    # loopback, as literals and as names
    ("http://127.0.0.1/pb", "loopback"),
    ("http://127.8.9.10:8080/pb", "loopback"),
    ("http://[::1]/pb", "loopback"),
    ("http://localhost/pb", "loopback"),
    # private
    ("http://10.0.0.5/pb", "private"),
    ("http://172.16.3.4/pb", "private"),
    ("http://192.168.1.1/pb", "private"),
    ("http://intranet.example/pb", "private"),
    # link-local and the metadata service
    ("http://169.254.169.254/latest/meta-data/", "link_local"),
    ("http://metadata.example/computeMetadata/v1/", "link_local"),
    ("http://[fe80::1]/pb", "link_local"),
    # CGNAT (shared address space)
    ("http://100.64.0.1/pb", "cgnat"),
    ("http://100.127.255.254/pb", "cgnat"),
    # unique-local IPv6
    ("http://[fd00::1]/pb", "unique_local"),
    ("http://[fc12:3456::1]/pb", "unique_local"),
    # IPv4-mapped and IPv4-compatible IPv6, whatever the IPv4 address
    ("http://[::ffff:127.0.0.1]/pb", "ipv4_mapped"),
    ("http://[::ffff:7f00:1]/pb", "ipv4_mapped"),
    ("http://[::ffff:169.254.169.254]/pb", "ipv4_mapped"),
    (f"http://[::ffff:{PUBLIC_V4}]/pb", "ipv4_mapped"),
    ("http://[::127.0.0.1]/pb", "ipv4_mapped"),
    # IPv6 that embeds a private IPv4 address (6to4, NAT64)
    ("http://[2002:7f00:1::1]/pb", "loopback"),
    ("http://[64:ff9b::a9fe:a9fe]/pb", "link_local"),
    # decimal, octal, hex and short IPv4 forms
    ("http://2130706433/pb", "address_form"),
    ("http://0177.0.0.1/pb", "address_form"),
    ("http://0x7f.0.0.1/pb", "address_form"),
    ("http://0x7f000001/pb", "address_form"),
    ("http://127.1/pb", "address_form"),
    ("http://127.000.000.001/pb", "address_form"),
    ("http://3232235777/pb", "address_form"),
    (f"http://{int.from_bytes(socket.inet_aton(PUBLIC_V4), 'big')}/pb", "address_form"),
    # other non-public addresses
    ("http://0.0.0.0/pb", "reserved"),
    ("http://[::]/pb", "reserved"),
    ("http://224.0.0.1/pb", "reserved"),
    ("http://255.255.255.255/pb", "reserved"),
    ("http://192.0.2.1/pb", "reserved"),
    # a name with one public and one private address is refused as a whole
    ("http://mixed.example/pb", "private"),
    ("http://nowhere.example/pb", "unresolvable"),
]

NAMES = {
    "localhost": ["127.0.0.1", "::1"],
    "intranet.example": ["10.1.2.3"],
    "metadata.example": ["169.254.169.254"],
    "mixed.example": [PUBLIC_V4, "10.0.0.1"],
    "affiliate.example": [PUBLIC_V4],
    "v6.affiliate.example": [PUBLIC_V6],
    "loopback.example": ["127.0.0.1"],
}


@pytest.mark.parametrize(("url", "code"), REFUSED)
def test_the_guard_refuses_urls_that_could_reach_inside_the_network(settings, url, code):
    settings.TALLY_POSTBACK_ALLOW_LOOPBACK = False
    with pytest.raises(UnsafeURL) as refused:
        check_url(url, resolve=stub_resolver(NAMES))
    assert refused.value.code == code, refused.value.message


@pytest.mark.parametrize(
    ("url", "ip", "port", "path"),
    [
        (f"http://{PUBLIC_V4}/pb?x=1", PUBLIC_V4, 80, "/pb?x=1"),
        ("https://affiliate.example/pb?tid={transaction_id}", PUBLIC_V4, 443, "/pb?tid={transaction_id}"),
        ("http://affiliate.example:8080", PUBLIC_V4, 8080, "/"),
        ("https://v6.affiliate.example/pb", PUBLIC_V6, 443, "/pb"),
        (f"http://[{PUBLIC_V6}]/pb", PUBLIC_V6, 80, "/pb"),
    ],
)
def test_the_guard_lets_public_addresses_through_and_says_where_to_connect(settings, url, ip, port, path):
    settings.TALLY_POSTBACK_ALLOW_LOOPBACK = False
    target = check_url(url, resolve=stub_resolver(NAMES))
    assert (target.ip, target.port, target.path) == (ip, port, path)


@pytest.mark.parametrize(
    ("url", "code"),
    [("http://10.0.0.5/pb", "private"), ("http://[::ffff:127.0.0.1]/pb", "ipv4_mapped"), ("http://0x7f.1/", None)],
)
def test_the_loopback_setting_opens_loopback_only(settings, url, code):
    settings.TALLY_POSTBACK_ALLOW_LOOPBACK = True
    assert check_url("http://127.0.0.1:9/pb").ip == "127.0.0.1"
    assert check_url("http://[::1]:9/pb").ip == "::1"
    assert check_url("http://loopback.example/pb", resolve=stub_resolver(NAMES)).ip == "127.0.0.1"
    with pytest.raises(UnsafeURL) as refused:
        check_url(url)
    assert refused.value.code == (code or "address_form")


def test_a_name_is_resolved_once_and_the_request_goes_to_the_checked_address(settings):
    """No DNS rebinding: the resolver is asked once, and the connection is made to the address it gave, with the
    name kept in the Host header."""
    settings.TALLY_POSTBACK_ALLOW_LOOPBACK = True
    answers = iter([["127.0.0.1"], ["10.0.0.1"]])  # a rebinding resolver: safe first, private after
    calls = []

    def rebinding(host, port):
        calls.append(host)
        return next(answers)

    with Receiver() as receiver:
        answer = outbound.fetch(f"http://affiliate.test:{receiver.port}/pb?x=1", resolve=rebinding)
    assert answer.status_code == 200
    assert calls == ["affiliate.test"]
    assert receiver.requests[0]["path"] == "/pb?x=1"
    assert receiver.requests[0]["headers"]["Host"] == f"affiliate.test:{receiver.port}"


def test_a_refused_url_is_never_requested(settings):
    settings.TALLY_POSTBACK_ALLOW_LOOPBACK = False
    with Receiver() as receiver:
        answer = outbound.fetch(receiver.url())
        assert answer.refused and answer.status_code is None
        assert "loopback" in answer.error
        assert receiver.requests == []


def test_redirects_are_not_followed(settings):
    settings.TALLY_POSTBACK_ALLOW_LOOPBACK = True
    with Receiver() as receiver:
        receiver.script(Reply(status=302, headers={"Location": receiver.url("/elsewhere")}))
        answer = outbound.fetch(receiver.url("/pb"))
        assert answer.status_code == 302 and not answer.ok
        assert [r["path"] for r in receiver.requests] == ["/pb"]


def test_the_response_body_is_read_only_up_to_the_cap(settings):
    settings.TALLY_POSTBACK_ALLOW_LOOPBACK = True
    settings.TALLY_POSTBACK_MAX_RESPONSE_BYTES = 100
    with Receiver() as receiver:
        receiver.script(Reply(status=200, body=b"x" * 1_000_000))
        answer = outbound.fetch(receiver.url())
    assert answer.ok
    assert answer.body == b"x" * 100


def test_a_slow_affiliate_server_times_out(settings):
    settings.TALLY_POSTBACK_ALLOW_LOOPBACK = True
    settings.TALLY_POSTBACK_READ_TIMEOUT = 0.2
    with Receiver() as receiver:
        receiver.script(Reply(status=200, delay=1.5))
        answer = outbound.fetch(receiver.url())
    assert answer.status_code is None
    assert "timed out" in answer.error
    assert answer.duration_ms < 1500


def test_a_closed_port_is_a_network_error_not_an_exception(settings):
    settings.TALLY_POSTBACK_ALLOW_LOOPBACK = True
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound but not listening: connections are refused
        answer = outbound.fetch(f"http://127.0.0.1:{port}/pb")
    assert answer.status_code is None and not answer.refused
    assert answer.error
