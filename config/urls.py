from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from areas.accounts import views as accounts
from core import health
from core.lockout import LockoutLoginView
from operations import views as operations

urlpatterns = [
    # The hot endpoints: clicks and postbacks.
    path("", include("tracking.urls")),
    path("", include("conversions.urls")),
    # Creative images: the portals' scoped view and pasted banners' public one (offers/views.py).
    path("", include("offers.urls")),
    # Liveness, readiness and Prometheus metrics (README, Operations).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", operations.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/", include("config.api_urls")),
    # The front door, signing in and getting in (sign-up, invitations, password reset).
    path("", accounts.home, name="home"),
    path("login/", LockoutLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("areas.accounts.urls")),
    # The three audiences' areas.
    path("manage/", include("areas.manager.urls")),
    path("affiliate/", include("areas.affiliate.urls")),
    path("advertiser/", include("areas.advertiser.urls")),
]
