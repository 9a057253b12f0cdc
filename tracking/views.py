"""GET /click (and HasOffers' /aff_c): a shopper's browser arrives, leaves with a transaction ID. HEAD gets the
same answer without a click; while the database is down the shopper still lands, untracked (tracking/outage.py).

Below it, the manager portal's click pages: "did this click arrive?"
"""

import contextlib
import re

from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils.http import MAX_URL_REDIRECT_LENGTH
from django.views.decorators.http import require_safe

from core import metrics
from core.http import client_ip, plain_page
from core.ratelimit import request_limited, too_many_requests
from offers.macros import fill
from offers.models import Offer
from quality.models import RefusedClickCount
from quality.services import click_screen, refused_click_count
from tracking.click_writer import click_store
from tracking.models import SUB_FIELDS
from tracking.outage import DATABASE_DOWN, unavailable, untracked_landing_url, untracked_redirect
from tracking.routing import click_route, click_route_last_seen
from tracking.services import click_build

ID_PATTERN = re.compile(r"[0-9]{1,18}")


def _parse_id(value):
    return int(value) if value and ID_PATTERN.fullmatch(value) else None


def _header(request, name, limit):
    """A request header as text the database accepts: NUL bytes dropped, cut to `limit` characters."""
    return request.META.get(name, "").replace("\x00", "")[:limit]


def _sub_values(params):
    """The sub ID parameters, or (None, message) when one is too long or holds a NUL byte."""
    subs = {}
    for field in SUB_FIELDS:
        value = params.get(field)
        if value is None and field == "aff_sub":
            value = params.get("aff_sub1")
        value = value or ""
        if len(value) > settings.TALLY_MAX_PARAM_LENGTH:
            return None, f"{field} is longer than {settings.TALLY_MAX_PARAM_LENGTH} characters."
        if "\x00" in value:
            return None, f"{field} contains a NUL character."
        subs[field] = value
    return subs, ""


def _paused(offer):
    if offer.fallback_url:
        return HttpResponseRedirect(offer.fallback_url)
    return plain_page(410, "Offer unavailable", "This offer is not running at the moment.")


BOT = RefusedClickCount.Reason.BOT
_SCREENED_OUT_PAGES = {
    RefusedClickCount.Reason.GEO: ("Not available in your country", "This offer is not available in your country."),
    RefusedClickCount.Reason.DEVICE: (
        "Not available on this device",
        "This offer is not available on your device or operating system.",
    ),
    RefusedClickCount.Reason.BLOCKED: ("Link not available", "This link is not available for your traffic."),
}


def _count_screened_out(request, offer, affiliate, reason):
    """Count a GET refused for traffic quality in the reports' hourly rows (HEAD requests are no clicks). When
    the database is down the click's answer still goes out; only this count is lost."""
    if request.method != "GET":
        return
    with contextlib.suppress(*DATABASE_DOWN):
        refused_click_count(offer_id=offer.pk, affiliate_id=affiliate.pk, reason=reason)


def _screened_out(request, offer, affiliate, screening):
    """A click outside the offer's targeting or on a blocklist: no transaction ID; the offer's fallback_url, or
    a 403 page saying why."""
    _count_screened_out(request, offer, affiliate, screening.reason)
    if offer.fallback_url:
        response = HttpResponseRedirect(offer.fallback_url)
    else:
        response = plain_page(403, *_SCREENED_OUT_PAGES[screening.reason])
    return metrics.click_refused(screening.reason, response)


@require_safe
@metrics.timed(metrics.CLICK_SECONDS)
def click(request):
    ip = client_ip(request)
    retry_after = request_limited("click", ip, limit=settings.TALLY_CLICK_RATE_LIMIT)
    if retry_after:
        page = plain_page(429, "Too many requests", "Too many clicks from this address. Try again shortly.")
        return metrics.click_refused("rate_limited", too_many_requests(page, retry_after))
    params = request.GET
    offer_id, aff_id = _parse_id(params.get("offer_id")), _parse_id(params.get("aff_id"))
    if offer_id is None or aff_id is None:
        return metrics.click_refused(
            "bad_link", plain_page(404, "Link not found", "This tracking link is missing a valid offer_id or aff_id.")
        )
    subs, problem = _sub_values(params)
    if subs is None:
        return metrics.click_refused("bad_link", plain_page(400, "Bad tracking link", problem))

    # The database being down (DATABASE_DOWN) costs the click, not the shopper's visit: tracking/outage.py.
    database_error = None
    try:
        route = click_route(offer_id=offer_id, aff_id=aff_id)
    except DATABASE_DOWN as error:
        database_error, route = error, click_route_last_seen(offer_id=offer_id, aff_id=aff_id)
        if route is None:
            return metrics.click_refused(
                "database_down", unavailable(request, offer_id=offer_id, aff_id=aff_id, error=error)
            )
    if route is None:
        return metrics.click_refused("not_found", plain_page(404, "Link not found", "No such offer or affiliate."))
    offer = route.offer
    if not route.affiliate.is_active:
        return metrics.click_refused(
            "affiliate_inactive", plain_page(403, "Link not active", "This affiliate is not active.")
        )
    if not route.may_run:
        return metrics.click_refused(
            "not_allowed", plain_page(403, "Link not active", "This affiliate may not run this offer.")
        )
    if offer.status != Offer.Status.ACTIVE or offer.advertiser.status != offer.advertiser.Status.ACTIVE:
        return metrics.click_refused("offer_paused", _paused(offer))

    # Traffic quality (docs/clicks.md#traffic-quality): blocklists, bots, targeting; in memory, no query.
    user_agent = _header(request, "HTTP_USER_AGENT", 1000)
    screening = click_screen(offer=offer, affiliate=route.affiliate, ip=ip, user_agent=user_agent, subs=subs)
    if screening.reason is not None and screening.reason != BOT:
        return _screened_out(request, offer, route.affiliate, screening)

    # The transaction ID and time are fixed first, so the landing URL is filled once, measured, and only then
    # is the click stored: a click is never stored for a URL Django would refuse to redirect to.
    click = click_build(
        offer=offer,
        affiliate=route.affiliate,
        subs=subs,
        ip=ip,
        user_agent=user_agent,
        referer=_header(request, "HTTP_REFERER", 2000),
        country=screening.country,
        device=screening.device,
        os=screening.os,
    )
    landing_url = fill(offer.destination_url, click.macro_values())
    if len(landing_url) > MAX_URL_REDIRECT_LENGTH:
        return metrics.click_refused(
            "bad_link", plain_page(400, "Bad tracking link", "The sub IDs make the landing URL too long.")
        )
    if screening.reason == BOT:
        # Crawlers and link previewers still see the landing page (previews keep working), but are no session.
        _count_screened_out(request, offer, route.affiliate, screening.reason)
        return metrics.click_refused(BOT, HttpResponseRedirect(untracked_landing_url(click)))
    if request.method == "HEAD":
        # Link checkers and previews: the answer a GET would get, but no click, so no transaction ID either.
        return HttpResponseRedirect(untracked_landing_url(click))
    if database_error is None:
        try:
            click_store(click)  # with the clicks of other threads arriving now: tracking/click_writer.py
        except DATABASE_DOWN as error:
            database_error = error
        else:
            metrics.CLICKS_STORED.inc()
            return HttpResponseRedirect(landing_url)
    return metrics.click_refused("database_down", untracked_redirect(click, database_error))
