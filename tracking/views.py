"""GET /click (and HasOffers' /aff_c): a shopper's browser arrives, leaves with a transaction ID.

Below it, the manager portal's click pages: "did this click arrive?"
"""

import re

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import MAX_URL_REDIRECT_LENGTH
from django.views import View
from django.views.decorators.http import require_safe

from config.http import client_ip, plain_page
from config.listing import FilteredListView
from conversions.selectors import conversion_list
from offers.macros import fill
from offers.models import Offer, OfferAccess, access_verdict
from partners.models import Affiliate
from partners.permissions import ManagerRequiredMixin
from tracking.filters import ClickFilter
from tracking.models import SUB_FIELDS, Click
from tracking.selectors import click_list
from tracking.services import click_record

ID_PATTERN = re.compile(r"[0-9]{1,18}")


def _parse_id(value):
    return int(value) if value and ID_PATTERN.fullmatch(value) else None


def _header(request, name, limit):
    """A request header as text the database accepts: NUL bytes dropped, cut to `limit` characters."""
    return request.META.get(name, "").replace("\x00", "")[:limit]


def _landing_url_fits(offer, affiliate, subs):
    """Whether the landing URL stays within the length Django will redirect to, decided before storing a click.

    Every macro but the sub IDs has a fixed length, so an unsaved click with the same values measures it exactly.
    """
    sample = Click(offer=offer, affiliate=affiliate, created_at=timezone.now(), **subs)
    return len(fill(offer.destination_url, sample.macro_values())) <= MAX_URL_REDIRECT_LENGTH


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


@require_safe
def click(request):
    params = request.GET
    offer_id, aff_id = _parse_id(params.get("offer_id")), _parse_id(params.get("aff_id"))
    if offer_id is None or aff_id is None:
        return plain_page(404, "Link not found", "This tracking link is missing a valid offer_id or aff_id.")
    subs, problem = _sub_values(params)
    if subs is None:
        return plain_page(400, "Bad tracking link", problem)

    offer = Offer.objects.select_related("advertiser").filter(pk=offer_id).first()
    access = OfferAccess.objects.filter(offer_id=offer_id, affiliate=OuterRef("pk"))
    affiliate = Affiliate.objects.filter(pk=aff_id).annotate(access_status=Subquery(access.values("status"))).first()
    if offer is None or affiliate is None:
        return plain_page(404, "Link not found", "No such offer or affiliate.")
    if not affiliate.is_active:
        return plain_page(403, "Link not active", "This affiliate is not active.")
    access_row = OfferAccess(status=affiliate.access_status) if affiliate.access_status else None
    if not access_verdict(offer, affiliate, access_row):
        return plain_page(403, "Link not active", "This affiliate may not run this offer.")
    if offer.status != Offer.Status.ACTIVE or offer.advertiser.status != offer.advertiser.Status.ACTIVE:
        return _paused(offer)

    if not _landing_url_fits(offer, affiliate, subs):
        return plain_page(400, "Bad tracking link", "The sub IDs make the landing URL too long.")

    session = click_record(
        offer=offer,
        affiliate=affiliate,
        subs=subs,
        ip=client_ip(request),
        user_agent=_header(request, "HTTP_USER_AGENT", 1000),
        referer=_header(request, "HTTP_REFERER", 2000),
    )
    session.offer = offer
    return HttpResponseRedirect(fill(offer.destination_url, session.macro_values()))


# --- Manager portal: clicks -----------------------------------------------------------------------------------


class ClickListView(ManagerRequiredMixin, FilteredListView):
    """Recent clicks, newest first, filtered by offer, affiliate, transaction ID, sub ID, source or dates."""

    template_name = "tracking/click_list.html"
    selector = staticmethod(click_list)
    filterset_class = ClickFilter
    ordering = ("-created_at", "-id")


class ClickDetailView(ManagerRequiredMixin, View):
    def get(self, request, transaction_id):
        click = get_object_or_404(
            click_list(user=request.user).select_related("offer__advertiser"), transaction_id=transaction_id
        )
        context = {
            "click": click,
            "landing_url": fill(click.offer.destination_url, click.macro_values()),
            "conversions": conversion_list(user=request.user).filter(click=click),
            "expired": click.expires_at < timezone.now(),
        }
        return render(request, "tracking/click_detail.html", context)
