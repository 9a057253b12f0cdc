"""Small request/response helpers the hot endpoints share."""

from django.conf import settings
from django.http import HttpResponse
from django.utils.html import escape


def client_ip(request):
    """The caller's address: REMOTE_ADDR, or with N trusted proxies the Nth entry from the right of
    X-Forwarded-For (each proxy appends the address it saw; entries further left are the client's say-so)."""
    proxies = settings.TALLY_TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR") or None
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]


def plain_page(status, title, message):
    """A tiny HTML page for the hot endpoints' refusals: no template engine, no session."""
    body = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title></head>"
        f"<body><h1>{escape(title)}</h1><p>{escape(message)}</p></body></html>"
    )
    return HttpResponse(body, status=status, content_type="text/html; charset=utf-8")
