from django.urls import path

from areas.advertiser import reports, views

app_name = "advertiser"

urlpatterns = [
    path("", views.OfferListView.as_view(), name="home"),
    path("offers/<int:pk>/", views.OfferDetailView.as_view(), name="offer_detail"),
    path("offers/<int:pk>/test/", views.integration_test_start, name="integration_test_start"),
    path("offers/<int:pk>/test/<str:transaction_id>/", views.IntegrationTestView.as_view(), name="integration_test"),
    path("conversions/", views.ConversionListView.as_view(), name="conversion_list"),
    path("reports/", reports.ReportView.as_view(), name="report"),
    path("reports/csv/", reports.ReportView.as_view(as_csv=True), name="report_csv"),
]
