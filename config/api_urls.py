"""The REST API (README.md, API): /api/v1/ resources, the OpenAPI schema at /api/schema/, its docs at /api/docs/."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.http import JsonResponse
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from billing.api.views import (
    AdvertiserBillingProfileViewSet,
    AffiliateBillingProfileViewSet,
    InvoiceViewSet,
    PaymentViewSet,
)
from conversions.api.affiliates import AffiliateViewSet
from conversions.api.views import ConversionViewSet, PostbackLogViewSet
from offers.api.catalogue import CategoryViewSet, CouponViewSet, CreativeViewSet, TagViewSet
from offers.api.views import GoalViewSet, OfferAccessViewSet, OfferViewSet
from partners.api.views import AdvertiserViewSet
from reports.api.views import ReportViewSet
from tracking.api.views import ClickViewSet

router = DefaultRouter()
router.register("advertisers", AdvertiserViewSet, basename="advertiser")
router.register("affiliates", AffiliateViewSet, basename="affiliate")
router.register("offers", OfferViewSet, basename="offer")
router.register("offer-access", OfferAccessViewSet, basename="offer-access")
router.register("goals", GoalViewSet, basename="goal")
router.register("creatives", CreativeViewSet, basename="creative")
router.register("coupons", CouponViewSet, basename="coupon")
router.register("categories", CategoryViewSet, basename="category")
router.register("tags", TagViewSet, basename="tag")
router.register("clicks", ClickViewSet, basename="click")
router.register("conversions", ConversionViewSet, basename="conversion")
router.register("postback-log", PostbackLogViewSet, basename="postback-log")
router.register("reports", ReportViewSet, basename="report")
router.register("invoices", InvoiceViewSet, basename="invoice")
router.register("payments", PaymentViewSet, basename="payment")
router.register("billing-profiles", AffiliateBillingProfileViewSet, basename="billing-profile")
router.register("advertiser-billing-profiles", AdvertiserBillingProfileViewSet, basename="advertiser-billing-profile")


@csrf_exempt
def not_found(request, path):
    """Any other /api/.../ address: a JSON 404 like the resources' own (not the site's HTML page)."""
    return JsonResponse({"detail": "Not found."}, status=404)


# Swagger UI with its start-up script served from this same URL (?script), so the page needs no inline script; it
# does set inline styles and draw icons from data: URLs, which the site's Content-Security-Policy allows here only.
swagger_ui = csp_update({"style-src": UNSAFE_INLINE, "img-src": "data:"})(
    SpectacularSwaggerSplitView.as_view(url_name="api:schema")
)

app_name = "api"
urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", swagger_ui, name="docs"),
    # Only paths ending in "/", so /api/v1/offers still redirects to /api/v1/offers/ (APPEND_SLASH).
    re_path(r"^(?P<path>.*/)$", not_found),
]
