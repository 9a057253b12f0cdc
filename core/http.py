"""Small request/response helpers the hot endpoints share."""

import ipaddress

from django.conf import settings
from django.http import HttpResponse
from django.utils.html import escape


def client_ip(request):
    """The caller's address: REMOTE_ADDR, or with N trusted proxies the Nth entry from the right of
    X-Forwarded-For (each proxy appends the address it saw; entries further left are the client's say-so).
    None when that is not an IP address (a proxy may forward garbage or "host:port")."""
    proxies = settings.TALLY_TRUSTED_PROXY_COUNT
    address = request.META.get("REMOTE_ADDR")
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def plain_page(status, title, message):
    """A tiny HTML page for the hot endpoints' refusals: no template engine, no session."""
    body = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title></head>"
        f"<body><h1>{escape(title)}</h1><p>{escape(message)}</p></body></html>"
    )
    return HttpResponse(body, status=status, content_type="text/html; charset=utf-8")


def site_url(request):
    """The network's address as this request reached it ("https://host"), for links in emails."""
    return request.build_absolute_uri("/").rstrip("/")
