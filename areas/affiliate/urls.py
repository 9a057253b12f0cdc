from django.urls import path

from areas.affiliate import reports, views

app_name = "affiliate"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="home"),
    path("offers/", views.OfferListView.as_view(), name="offer_list"),
    path("offers/<int:pk>/", views.OfferDetailView.as_view(), name="offer_detail"),
    path("offers/<int:pk>/request/", views.offer_request_access, name="offer_request_access"),
    path("links/", views.LinkBuilderView.as_view(), name="link_builder"),
    path("postbacks/", views.PostbacksView.as_view(), name="postbacks"),
    path("postbacks/secret/", views.postback_secret_rotate, name="postback_secret_rotate"),
    path("postbacks/<int:pk>/delete/", views.postback_delete, name="postback_delete"),
    path("postbacks/deliveries/", views.DeliveryListView.as_view(), name="delivery_list"),
    path("conversions/", views.ConversionListView.as_view(), name="conversion_list"),
    path("reports/", reports.ReportView.as_view(), name="report"),
    path("reports/csv/", reports.ReportView.as_view(as_csv=True), name="report_csv"),
]
