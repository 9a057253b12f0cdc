"""The advertiser area (/advertiser/): an advertiser's own offers, the postback snippets to copy for each, a live
integration test, and the conversions of its offers (README: Affiliates and advertisers). One module per audience.

Advertisers see revenue, amounts and their own order references (adv_sub), never payout, and of affiliates only
the partner ID. Objects outside their scope are 404.
"""

import django_filters
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from areas.advertiser import postback_snippets
from conversions.filters import ConversionFilter
from conversions.models import PostbackLog
from conversions.selectors import conversion_list
from core.filters import DroppedFiltersMixin
from core.http import client_ip
from core.listing import FilteredListView
from core.permissions import AdvertiserRequiredMixin, advertiser_required
from core.roles import advertiser_of
from offers.filters import OfferFilter
from offers.macros import fill
from offers.selectors import offer_list
from tracking.selectors import click_list
from tracking.services import integration_test_click
from tracking.transaction_ids import transaction_id_q

PROTOCOLS = {"transaction": "Transaction ID (recommended)", "partner": "Partner ID (recurring purchases)"}


class AdvertiserAreaMixin(AdvertiserRequiredMixin):
    """An advertiser's page: the signed-in user's advertiser as self.advertiser, once it is active (a suspended
    advertiser sees only that, like a suspended affiliate; the API refuses it too)."""

    def dispatch(self, request, *args, **kwargs):
        self.advertiser = advertiser_of(request.user)
        if self.advertiser is not None and not self.advertiser.is_active:
            return render(request, "advertiser/inactive.html", {"advertiser": self.advertiser}, status=403)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(advertiser=self.advertiser, **kwargs)


class AdvertiserOfferFilter(DroppedFiltersMixin, OfferFilter):
    """The managers' offer filter without the advertiser (it is always the signed-in one)."""

    dropped = ("advertiser",)


class OfferListView(AdvertiserAreaMixin, FilteredListView):
    template_name = "advertiser/offer_list.html"
    selector = staticmethod(offer_list)
    filterset_class = AdvertiserOfferFilter
    ordering = ["name", "pk"]


def _offer(request, pk):
    return get_object_or_404(offer_list(user=request.user), pk=pk)


class OfferDetailView(AdvertiserAreaMixin, TemplateView):
    """One offer: its postback URL for either protocol and the same call in four languages, how to keep the
    transaction ID from the landing URL, and the live integration test."""

    template_name = "advertiser/offer_detail.html"

    def get_context_data(self, **kwargs):
        offer = _offer(self.request, self.kwargs["pk"])
        protocol = self.request.GET.get("protocol")
        protocol = protocol if protocol in PROTOCOLS else "transaction"
        base = self.request.build_absolute_uri(reverse("conversions:postback"))
        pairs = postback_snippets.postback_params(offer=offer, advertiser=self.advertiser, protocol=protocol)
        param = postback_snippets.transaction_param(offer.destination_url)
        goals = [
            {
                "goal": goal,
                "url": postback_snippets.postback_url(
                    base,
                    postback_snippets.postback_params(
                        offer=offer, advertiser=self.advertiser, protocol=protocol, goal=goal
                    ),
                ),
            }
            for goal in offer.goals.order_by("name")
        ]
        return super().get_context_data(
            offer=offer,
            protocol=protocol,
            protocols=PROTOCOLS,
            postback_base=base,
            postback_url=postback_snippets.postback_url(base, pairs),
            call_snippets=postback_snippets.call_snippets(base=base, pairs=pairs),
            transaction_param=param,
            store_snippets=postback_snippets.store_snippets(param) if param else [],
            goals=goals,
            **kwargs,
        )


# --- Live integration test ------------------------------------------------------------------------------------


@require_POST
@advertiser_required
def integration_test_start(request, pk):
    """Make a test click on the offer and go to the page that shows its landing URL and waits for the postback."""
    if not advertiser_of(request.user).is_active:
        raise PermissionDenied("This advertiser is not active.")
    offer = _offer(request, pk)
    click = integration_test_click(offer=offer, ip=client_ip(request), user_agent=request.headers.get("User-Agent", ""))
    return redirect("advertiser:integration_test", pk=offer.pk, transaction_id=click.transaction_id)


def integration_test_logs(*, advertiser, offer, click):
    """The postback log entries about a test click, oldest first: those naming its transaction ID, and partner-ID
    postbacks for the offer naming the test affiliate since the click."""
    by_transaction = PostbackLog.objects.filter(offer=offer, params__transaction_id=click.transaction_id)
    by_partner = PostbackLog.objects.filter(
        offer=offer, params__aff_id=str(click.affiliate_id), received_at__gte=click.created_at
    )
    logs = (by_transaction | by_partner).filter(offer__advertiser=advertiser)
    return logs.order_by("received_at", "id")[:50]


class IntegrationTestView(AdvertiserAreaMixin, TemplateView):
    """Step by step: open the landing URL, convert on your site, and see each postback arrive with its verdict.
    The results part reloads itself (tally.js polls ?part=results); without JavaScript, the Refresh button."""

    template_name = "advertiser/integration_test.html"

    def get_template_names(self):
        if self.request.GET.get("part") == "results":
            return ["advertiser/_integration_results.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        offer = _offer(self.request, self.kwargs["pk"])
        click = get_object_or_404(
            click_list(user=self.request.user).filter(offer=offer, affiliate__is_test=True),
            transaction_id_q(self.kwargs["transaction_id"]),
        )
        base = self.request.build_absolute_uri(reverse("conversions:postback"))
        sample = {
            postback_snippets.TRANSACTION_ID: click.transaction_id,
            postback_snippets.AMOUNT: "1.00",
            postback_snippets.ORDER_ID: "TEST-1",
        }
        pairs = [
            (name, sample.get(value, value))
            for name, value in postback_snippets.postback_params(
                offer=offer, advertiser=self.advertiser, protocol="transaction"
            )
        ]
        return super().get_context_data(
            offer=offer,
            click=click,
            landing_url=fill(offer.destination_url, click.macro_values()),
            sample_curl=f"curl -sS '{postback_snippets.postback_url(base, pairs)}'",
            logs=integration_test_logs(advertiser=self.advertiser, offer=offer, click=click),
            **kwargs,
        )


# --- Conversions ----------------------------------------------------------------------------------------------


class AdvertiserConversionFilter(DroppedFiltersMixin, ConversionFilter):
    """The managers' conversion filter, with the affiliate given by partner ID (within the advertiser's own
    conversions) instead of picked from a list of affiliates, which an advertiser does not get."""

    partner_id = django_filters.NumberFilter(field_name="affiliate_id", label="Partner ID", min_value=1)
    dropped = ("affiliate",)


class ConversionListView(AdvertiserAreaMixin, FilteredListView):
    """Conversions of their offers: status, amount, revenue, adv_sub and the partner ID. Payout and the
    affiliate's row are never loaded."""

    template_name = "advertiser/conversion_list.html"
    selector = staticmethod(conversion_list)
    filterset_class = AdvertiserConversionFilter

    def get_queryset(self):
        return super().get_queryset().select_related(None).select_related("offer", "goal").defer("payout")
