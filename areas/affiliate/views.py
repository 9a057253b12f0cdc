"""The affiliate area (/affiliate/): an affiliate's own dashboard, offers, tracking links, postback settings and
conversions (README.md, Affiliates and advertisers). One module per audience (areas/affiliate, areas/advertiser,
areas/manager) rather than pages spread over each app's views.py: an area is read and changed as a whole, and every page
here shares one scoping rule — the signed-in user's affiliate, through the role-scoped selectors — and one gate (an
approved, active affiliate).

Affiliates see payout, never revenue, adv_sub or anything of another affiliate. Objects outside their scope are
404, never 403, so IDs can't be probed.
"""

from datetime import timedelta
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from areas.affiliate.forms import SUB_LABELS, LinkForm, PostbackForm
from areas.affiliate.verifier_examples import MAX_AGE as VERIFIER_MAX_AGE
from areas.affiliate.verifier_examples import verifier_examples
from conversions.filters import ConversionFilter, PostbackDeliveryFilter
from conversions.postback_test_fire import affiliate_postback_test_fire
from conversions.postback_urls import affiliate_postback_set
from conversions.selectors import affiliate_postback_list, conversion_list, postback_delivery_list
from conversions.sending import RETRY_STATUSES
from core import ratelimit
from core.filters import DroppedFiltersMixin
from core.listing import FilteredListView
from core.periods import network_today
from core.permissions import AffiliateRequiredMixin, affiliate_required
from core.roles import affiliate_of
from offers.creatives import creative_snippet, public_image_url, tracking_link_for
from offers.filters import OfferFilter
from offers.macros import affiliate_postback_macros
from offers.models import Offer, OfferAccess, access_verdict
from offers.selectors import coupon_list, creative_list, offer_access_list, offer_list, offer_list_with_payout
from offers.services import offer_access_request
from partners.models import POSTBACK_SECRET_GRACE
from partners.services import affiliate_rotate_postback_secret
from reports.selectors import report_rows, traffic_summary

# What each postback macro holds (docs/affiliate-postbacks.md#macros), shown next to the postback URL field.
MACRO_HELP = {
    "transaction_id": "the click's transaction ID",
    "affiliate_id": "your partner ID",
    "offer_id": "the offer's ID",
    "aff_sub": "aff_sub of the click",
    "aff_sub2": "aff_sub2 of the click",
    "aff_sub3": "aff_sub3 of the click",
    "aff_sub4": "aff_sub4 of the click",
    "aff_sub5": "aff_sub5 of the click",
    "source": "source of the click",
    "aff_click_id": "aff_click_id of the click (your click ID)",
    "advertiser_id": "the offer's advertiser",
    "date": "conversion date, UTC (YYYY-MM-DD)",
    "datetime": "conversion time, UTC (ISO 8601)",
    "timestamp": "conversion time, Unix seconds",
    "conversion_id": "Tally's conversion ID (dedupe on it)",
    "payout": "what you earn for it",
    "amount": "the sale amount",
    "currency": "the offer's currency (ISO 4217)",
    "adv_sub": "the advertiser's order reference",
    "goal_id": "the goal's ID (empty for the default conversion)",
    "status": "approved, pending or rejected",
}


def _inactive_page(request, affiliate, status):
    """What a pending or suspended affiliate sees instead of the area: where its application stands."""
    return render(request, "affiliate/inactive.html", {"affiliate": affiliate}, status=status)


class AffiliateAreaMixin(AffiliateRequiredMixin):
    """An affiliate's page: the signed-in user's affiliate as self.affiliate, once it is active."""

    inactive_status = 403

    def dispatch(self, request, *args, **kwargs):
        self.affiliate = affiliate_of(request.user)
        if self.affiliate is not None and not self.affiliate.is_active:
            return _inactive_page(request, self.affiliate, self.inactive_status)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(affiliate=self.affiliate, **kwargs)


def active_affiliate_required(view):
    """For function views (POST actions): the signed-in user's active affiliate is passed as `affiliate`."""

    @affiliate_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        affiliate = affiliate_of(request.user)
        if not affiliate.is_active:
            raise PermissionDenied("This affiliate is not active.")
        return view(request, *args, affiliate=affiliate, **kwargs)

    return wrapper


# --- Dashboard ------------------------------------------------------------------------------------------------


class DashboardView(AffiliateAreaMixin, TemplateView):
    """Today, yesterday, 7 and 30 days (clicks, conversions, CR, earnings, EPC) and a chart per day, all from the
    report selectors (rollups): the metrics are defined there once."""

    template_name = "affiliate/dashboard.html"
    inactive_status = 200

    def get_context_data(self, **kwargs):
        user = self.request.user
        today = network_today()
        first = today - timedelta(days=29)
        return super().get_context_data(
            **traffic_summary(user=user),
            by_offer=report_rows(user=user, group_by="offer", date_from=first, date_to=today)[:5],
            **kwargs,
        )


# --- Offers ---------------------------------------------------------------------------------------------------


class AffiliateOfferFilter(DroppedFiltersMixin, OfferFilter):
    """The managers' offer filter without what an affiliate may not pick (advertisers, visibility)."""

    dropped = ("advertiser", "visibility")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["status"].extra["choices"] = [(Offer.Status.ACTIVE, "Active"), (Offer.Status.PAUSED, "Paused")]


def offer_terms(offer, access):
    """What the affiliate's view of one offer needs: may it run it, its access row, and its payout rate."""
    may_run = access_verdict(offer, None, access)
    payout = access.payout if access is not None and access.payout is not None else offer.payout
    return {"offer": offer, "access": access, "may_run": may_run, "payout": payout}


def _access_rows(user, offers):
    rows = offer_access_list(user=user).filter(offer__in=[offer.pk for offer in offers])
    return {row.offer_id: row for row in rows}


class OfferListView(AffiliateAreaMixin, FilteredListView):
    template_name = "affiliate/offer_list.html"
    selector = staticmethod(offer_list_with_payout)
    filterset_class = AffiliateOfferFilter
    ordering = ["name", "pk"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        access = _access_rows(self.request.user, context["object_list"])
        context["rows"] = [offer_terms(offer, access.get(offer.pk)) for offer in context["object_list"]]
        return context


class OfferDetailView(AffiliateAreaMixin, TemplateView):
    template_name = "affiliate/offer_detail.html"

    def get_context_data(self, **kwargs):
        offer = get_object_or_404(offer_list(user=self.request.user), pk=self.kwargs["pk"])
        access = offer_access_list(user=self.request.user).filter(offer=offer).first()
        return super().get_context_data(
            terms=offer_terms(offer, access),
            offer=offer,
            goals=offer.goals.order_by("name"),
            creatives=self.creatives(offer),
            coupons=coupon_list(user=self.request.user).filter(offer=offer).order_by("code"),
            **kwargs,
        )

    def creatives(self, offer):
        """Each creative of the offer (only of an offer the affiliate may run: creative_list scopes them) with the
        snippet to paste, its tracking link filled in (README.md, Creatives)."""
        link = tracking_link_for(self.request, offer=offer, affiliate=self.affiliate)
        rows = []
        for creative in creative_list(user=self.request.user).filter(offer=offer).order_by("kind", "name"):
            image_url = public_image_url(self.request, creative) if creative.image else ""
            rows.append(
                {"creative": creative, "snippet": creative_snippet(creative, tracking_link=link, image_url=image_url)}
            )
        return rows


@require_POST
@active_affiliate_required
def offer_request_access(request, pk, *, affiliate):
    offer = get_object_or_404(offer_list(user=request.user), pk=pk)
    try:
        access = offer_access_request(offer=offer, affiliate=affiliate)
    except ValueError:
        messages.error(request, "This offer takes no access requests.")
    else:
        if access.status == OfferAccess.Status.PENDING:
            messages.success(request, f"Access to “{offer.name}” requested; a network manager will decide.")
        else:
            messages.info(request, f"Your access to “{offer.name}” is {access.status}.")
    return redirect("affiliate:offer_detail", pk=offer.pk)


# --- Tracking links -------------------------------------------------------------------------------------------


def runnable_offers(user, affiliate):
    """The offers this affiliate may send traffic to now (not archived)."""
    return offer_list(user=user).filter(pk__in=Offer.objects.runnable_by(affiliate).values("pk")).order_by("name")


def tracking_link(request, offer, affiliate, subs):
    """The affiliate's tracking link on this Tally (the host the request came to): /click with its IDs and subs."""
    params = [("offer_id", offer.pk), ("aff_id", affiliate.pk), *subs.items()]
    return f"{request.build_absolute_uri(reverse('tracking:click'))}?{urlencode(params)}"


class LinkBuilderView(AffiliateAreaMixin, TemplateView):
    """A GET form: pick an offer, fill sub IDs, get the link (visible text, with a copy button)."""

    template_name = "affiliate/link_builder.html"

    def get_context_data(self, **kwargs):
        offers = runnable_offers(self.request.user, self.affiliate)
        form = LinkForm(self.request.GET or None, offers=offers)
        link = None
        if form.is_bound and form.is_valid():
            link = tracking_link(self.request, form.cleaned_data["offer"], self.affiliate, form.subs())
        return super().get_context_data(form=form, link=link, has_offers=offers.exists(), sub_labels=SUB_LABELS)


# --- Postback settings ----------------------------------------------------------------------------------------


class PostbacksView(AffiliateAreaMixin, TemplateView):
    """The affiliate's postback URLs (affiliate-wide and per offer): set, remove, test fire; with the macros."""

    template_name = "affiliate/postbacks.html"

    def offers(self):
        return offer_list(user=self.request.user).order_by("name")

    def get(self, request, *args, **kwargs):
        postbacks = affiliate_postback_list(user=request.user)
        initial = {}
        chosen = request.GET.get("offer", "")
        if chosen.isdigit() or chosen == "":
            current = postbacks.filter(offer_id=int(chosen) if chosen else None).first()
            if current is not None:
                initial = {"offer": current.offer, "url": current.url, "on_status_change": current.on_status_change}
        return self.render(PostbackForm(initial=initial, offers=self.offers()))

    def post(self, request, *args, **kwargs):
        form = PostbackForm(request.POST, offers=self.offers())
        if not form.is_valid():
            return self.render(form, status=400)
        data = form.cleaned_data
        if request.POST.get("action") == "test":
            # Each test fire makes Tally call the URL: a bound per affiliate, so no one aims it at a third party.
            retry_after = ratelimit.hit(
                "test-fire", self.affiliate.pk, limit=settings.TALLY_TEST_FIRE_RATE_LIMIT, window=60
            )
            if retry_after:
                form.add_error(None, f"Too many test fires. Try again in {retry_after} s.")
                return ratelimit.too_many_requests(self.render(form), retry_after)
            answer, snippet = affiliate_postback_test_fire(
                affiliate=self.affiliate, url=data["url"], offer=data["offer"]
            )
            return self.render(form, test={"answer": answer, "snippet": snippet})
        try:
            affiliate_postback_set(
                affiliate=self.affiliate,
                url=data["url"],
                offer=data["offer"],
                on_status_change=data["on_status_change"],
            )
        except ValidationError as error:
            form.add_error("url", error)
            return self.render(form, status=400)
        scope = f"offer “{data['offer'].name}”" if data["offer"] else "every offer"
        messages.success(request, f"Postback URL for {scope} saved.")
        return redirect("affiliate:postbacks")

    def render(self, form, status=200, test=None):
        context = self.get_context_data(
            form=form,
            test=test,
            postbacks=affiliate_postback_list(user=self.request.user).order_by("offer__name"),
            macros=[(name, MACRO_HELP.get(name, "")) for name in affiliate_postback_macros()],
            grace_ends_at=self.affiliate.postback_grace_ends_at(),
            grace_days=POSTBACK_SECRET_GRACE.days,
            signing_secrets=self.affiliate.postback_signing_secrets(),
            verifier_examples=verifier_examples(secrets=self.affiliate.postback_signing_secrets()),
            max_age=VERIFIER_MAX_AGE,
            retry_statuses=sorted(RETRY_STATUSES),
            retry_hours=settings.TALLY_POSTBACK_RETRY_HOURS,
        )
        return self.render_to_response(context, status=status)


@require_POST
@active_affiliate_required
def postback_secret_rotate(request, *, affiliate):
    """A new postback secret; the previous one goes on signing beside it for the grace period."""
    affiliate = affiliate_rotate_postback_secret(affiliate=affiliate)
    messages.success(
        request,
        f"New postback secret. Until {affiliate.postback_grace_ends_at():%Y-%m-%d %H:%M} UTC each postback is "
        "signed with the previous one too: put the new one in your verifier before then.",
    )
    return redirect(reverse("affiliate:postbacks") + "#signature")


@require_POST
@active_affiliate_required
def postback_delete(request, pk, *, affiliate):
    postback = get_object_or_404(affiliate_postback_list(user=request.user), pk=pk)
    affiliate_postback_set(affiliate=affiliate, offer=postback.offer, url="")
    messages.success(request, "Postback URL removed.")
    return redirect("affiliate:postbacks")


class DeliveryListView(AffiliateAreaMixin, FilteredListView):
    """Every call Tally made (or is making) to the affiliate's postback URLs, with each attempt."""

    template_name = "affiliate/delivery_list.html"
    selector = staticmethod(postback_delivery_list)
    filterset_class = PostbackDeliveryFilter

    def get_queryset(self):
        return super().get_queryset().select_related("conversion__offer")


# --- Conversions ----------------------------------------------------------------------------------------------


class AffiliateConversionFilter(DroppedFiltersMixin, ConversionFilter):
    """The managers' conversion filter without the affiliate (it is always the signed-in one)."""

    dropped = ("affiliate",)


class ConversionListView(AffiliateAreaMixin, FilteredListView):
    """Their conversions: status, payout, sub IDs. Revenue and adv_sub are never loaded."""

    template_name = "affiliate/conversion_list.html"
    selector = staticmethod(conversion_list)
    filterset_class = AffiliateConversionFilter

    def get_queryset(self):
        hidden = ("revenue", "adv_sub", "adv_sub2", "adv_sub3", "adv_sub4", "adv_sub5", "status_reason")
        return super().get_queryset().defer(*hidden)
