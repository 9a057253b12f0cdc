from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("tracking.urls")),
    path("", include("conversions.urls")),
    path("admin/", admin.site.urls),
]
