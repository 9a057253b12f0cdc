from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config import views
from config.lockout import LockoutLoginView

urlpatterns = [
    path("", include("tracking.urls")),
    path("", include("conversions.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("config.api_urls")),
    # Portal: sign in, the role-based front door, the manager's pages (each app's urls.py holds its own).
    path("", views.home, name="home"),
    path("login/", LockoutLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("manage/", views.manage_home, name="manage_home"),
    path("", include("offers.urls")),
    path("", include("partners.urls")),
    path("", include("reports.urls")),
    # Getting in (sign-up, invitations, password reset) and the two outside audiences' areas.
    path("", include("partners.account_urls")),
    path("affiliate/", include("partners.affiliate_urls")),
    path("advertiser/", include("partners.advertiser_urls")),
]
