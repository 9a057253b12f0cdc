"""The REST API (SPEC §9): /api/v1/ resources, the OpenAPI schema at /api/schema/, its docs at /api/docs/."""

from django.http import JsonResponse
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from conversions.api.affiliates import AffiliateViewSet
from conversions.api.views import ConversionViewSet, PostbackLogViewSet
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
router.register("clicks", ClickViewSet, basename="click")
router.register("conversions", ConversionViewSet, basename="conversion")
router.register("postback-log", PostbackLogViewSet, basename="postback-log")
router.register("reports", ReportViewSet, basename="report")


@csrf_exempt
def not_found(request, path):
    """Any other /api/.../ address: a JSON 404 like the resources' own (not the site's HTML page)."""
    return JsonResponse({"detail": "Not found."}, status=404)


app_name = "api"
urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    # Only paths ending in "/", so /api/v1/offers still redirects to /api/v1/offers/ (APPEND_SLASH).
    re_path(r"^(?P<path>.*/)$", not_found),
]
