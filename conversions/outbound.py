"""Requests Tally makes to URLs that affiliates typed (docs/affiliate-postbacks.md#url-rules), guarded against
server-side request forgery.

`check_url` decides whether a URL may be fetched and to which address: http/https only, no credentials, host
names written as names or canonical IP literals (no decimal, octal or hex forms), and every address the name
resolves to public: not loopback, private, link-local (169.254.169.254, the cloud metadata address), CGNAT,
unique-local, multicast, reserved or IPv4-mapped/embedded. `fetch` resolves once, checks, and connects to
the checked address itself (a second DNS answer can't point it elsewhere), with tight timeouts, no redirects
followed, no proxies from the environment, and a capped response body.

urllib3 does the HTTP: it lets us connect to an IP address while sending the original Host header and
verifying TLS (SNI and certificate) against the original name, which the standard library does not offer.
"""

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from django.conf import settings

USER_AGENT = "Tally-Postback/1.0"
DEFAULT_PORTS = {"http": 80, "https": 443}

# Networks whose IPv6 addresses carry an IPv4 address that is what is actually reached.
NAT64 = ipaddress.ip_network("64:ff9b::/96")
CGNAT = ipaddress.ip_network("100.64.0.0/10")
RFC1918 = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]
UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")


class UnsafeURL(ValueError):
    """The URL may not be fetched; `code` says why (scheme, credentials, address_form, loopback, private, ...)."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Target:
    """Where a checked URL is fetched: the address to connect to, and the name to present."""

    scheme: str
    host: str
    port: int
    ip: str
    path: str

    @property
    def host_header(self):
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"


def resolve_host(host, port):
    """Every address a host name resolves to (the system resolver; tests pass a stub instead)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def _ip_literal(host):
    """The address when host is an IP literal, None when it is a name; refuses non-canonical IPv4 forms."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    last_label = host.rstrip(".").rsplit(".", 1)[-1].lower()
    # A host ending in a numeric label is an IPv4 address to browsers and resolvers (WHATWG URL: "ends in a
    # number"): 2130706433, 0x7f.1, 0177.0.0.1 and 127.1 all reach 127.0.0.1. Only dotted decimal is accepted.
    if last_label.isdigit() or (last_label.startswith("0x") and all(c in "0123456789abcdef" for c in last_label[2:])):
        raise UnsafeURL("address_form", f"{host!r} is not a dotted-decimal IPv4 address; write it as a.b.c.d")
    try:
        socket.inet_aton(host)
    except OSError:
        return None
    raise UnsafeURL("address_form", f"{host!r} is not a dotted-decimal IPv4 address; write it as a.b.c.d")


def address_problem(address, *, allow_loopback=False):
    """None when Tally may connect to this address, else (code, words) saying why not."""
    address = ipaddress.ip_address(address) if isinstance(address, str) else address
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return "ipv4_mapped", "an IPv4-mapped IPv6 address"
        if address.scope_id:
            return "link_local", "an IPv6 address with a zone"
        embedded = None
        if address.sixtofour is not None:
            embedded = address.sixtofour
        elif address in NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        elif address.teredo is not None:
            return "reserved", "a Teredo tunnel address"
        elif int(address) >> 32 == 0 and not address.is_loopback and not address.is_unspecified:
            return "ipv4_mapped", "an IPv4-compatible IPv6 address"
        if embedded is not None:
            problem = address_problem(embedded)
            return (problem[0], f"an IPv6 address that embeds {embedded}, {problem[1]}") if problem else None
    if address.is_loopback:
        return None if allow_loopback else ("loopback", "a loopback address")
    if address.is_unspecified:
        return "reserved", "the unspecified address"
    if address.is_link_local:
        return "link_local", "a link-local address (this includes the 169.254.169.254 metadata service)"
    if address.version == 4 and address in CGNAT:
        return "cgnat", "a carrier-grade NAT (shared) address"
    if address.version == 6 and address in UNIQUE_LOCAL:
        return "unique_local", "a unique-local IPv6 address"
    if address.is_multicast:
        return "reserved", "a multicast address"
    if any(address in network for network in RFC1918):
        return "private", "a private address"
    if address.is_reserved or not address.is_global:
        return "reserved", "a reserved address"
    return None


def check_url(url, *, resolve=None, allow_loopback=None):
    """The Target to connect to for url, or UnsafeURL. Resolves the host once (with `resolve`, default DNS)."""
    if allow_loopback is None:
        allow_loopback = settings.TALLY_POSTBACK_ALLOW_LOOPBACK
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeURL("invalid", f"not a valid URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise UnsafeURL("scheme", "only http:// and https:// URLs are allowed")
    if parts.username is not None or parts.password is not None:
        raise UnsafeURL("credentials", "user names and passwords in the URL are not allowed")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeURL("invalid", "the URL has no host")
    port = port or DEFAULT_PORTS[scheme]
    literal = _ip_literal(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise UnsafeURL("invalid", f"{host!r} is not a valid host name") from None
        try:
            addresses = [ipaddress.ip_address(a) for a in (resolve or resolve_host)(host, port)]
        except (OSError, UnicodeError) as exc:
            raise UnsafeURL("unresolvable", f"{host} does not resolve: {exc}") from None
        if not addresses:
            raise UnsafeURL("unresolvable", f"{host} does not resolve")
    for address in addresses:
        problem = address_problem(address, allow_loopback=allow_loopback)
        if problem:
            code, words = problem
            shown = host if literal is not None else f"{host} ({address})"
            raise UnsafeURL(code, f"{shown} is {words}; postbacks only go to public addresses")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme=scheme, host=host, port=port, ip=str(addresses[0]), path=path)


@dataclass
class Answer:
    """What one request got: a status code and the start of the body, or an error."""

    url: str
    status_code: int | None = None
    body: bytes = b""
    error: str = ""
    refused: bool = False  # the URL failed the SSRF check: nothing was sent
    duration_ms: int = 0

    @property
    def ok(self):
        return self.status_code is not None and 200 <= self.status_code < 300


def fetch(url, *, headers=None, resolve=None):
    """GET url once, as described in the module docstring. Never raises for network trouble: see Answer."""
    started = time.monotonic()
    answer = Answer(url=url)
    try:
        target = check_url(url, resolve=resolve)
    except UnsafeURL as exc:
        answer.error, answer.refused = exc.message, True
        return answer
    connect, read = settings.TALLY_POSTBACK_CONNECT_TIMEOUT, settings.TALLY_POSTBACK_READ_TIMEOUT
    options = {"timeout": urllib3.Timeout(connect=connect, read=read), "retries": False, "maxsize": 1}
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            target.ip, target.port, server_hostname=target.host, assert_hostname=target.host, **options
        )
    else:
        pool = urllib3.HTTPConnectionPool(target.ip, target.port, **options)
    request_headers = {"Host": target.host_header, "User-Agent": USER_AGENT, **(headers or {})}
    try:
        response = pool.urlopen(
            "GET", target.path, headers=request_headers, redirect=False, retries=False, preload_content=False
        )
        try:
            answer.status_code = response.status
            answer.body = _read_capped(response, deadline=started + connect + read)
        finally:
            response.release_conn()
    except urllib3.exceptions.HTTPError as exc:
        answer.error = _describe(exc)
    except OSError as exc:
        answer.error = f"network error: {exc}"
    finally:
        pool.close()
        answer.duration_ms = int((time.monotonic() - started) * 1000)
    return answer


def _read_capped(response, *, deadline):
    """At most TALLY_POSTBACK_MAX_RESPONSE_BYTES of the body; stop early when the deadline has passed."""
    limit = settings.TALLY_POSTBACK_MAX_RESPONSE_BYTES
    body = b""
    while len(body) < limit and time.monotonic() < deadline:
        chunk = response.read1(min(8192, limit - len(body)))
        if not chunk:
            break
        body += chunk
    return body[:limit]


def _describe(exc):
    reason = getattr(exc, "reason", None) or exc
    if isinstance(exc, urllib3.exceptions.ConnectTimeoutError) or isinstance(
        reason, urllib3.exceptions.ConnectTimeoutError
    ):
        return "connection timed out"
    if isinstance(exc, urllib3.exceptions.ReadTimeoutError):
        return "timed out waiting for the response"
    return f"{type(reason).__name__}: {reason}"[:500]
