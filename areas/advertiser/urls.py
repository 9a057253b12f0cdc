from django.urls import path

from areas.advertiser import billing, notifications, reports, views

app_name = "advertiser"

urlpatterns = [
    path("", views.OfferListView.as_view(), name="home"),
    path("offers/<int:pk>/", views.OfferDetailView.as_view(), name="offer_detail"),
    path("offers/<int:pk>/test/", views.integration_test_start, name="integration_test_start"),
    path("offers/<int:pk>/test/<str:transaction_id>/", views.IntegrationTestView.as_view(), name="integration_test"),
    path("conversions/", views.ConversionListView.as_view(), name="conversion_list"),
    path("reports/", reports.ReportView.as_view(), name="report"),
    path("reports/csv/", reports.ReportView.as_view(as_csv=True), name="report_csv"),
    path("reports/scheduled/", reports.ScheduleListView.as_view(), name="report_schedule_list"),
    path("reports/scheduled/<int:pk>/delete/", reports.ScheduleDeleteView.as_view(), name="report_schedule_delete"),
    path("billing/", billing.InvoiceListView.as_view(), name="invoice_list"),
    path("billing/invoices/<int:pk>/pdf/", billing.InvoicePdfView.as_view(), name="invoice_pdf"),
    path("inbox/", notifications.InboxView.as_view(), name="inbox"),
    path("inbox/read/", notifications.MarkReadView.as_view(), name="notification_read_all"),
    path("inbox/<int:pk>/read/", notifications.MarkReadView.as_view(), name="notification_read"),
    path("inbox/settings/", notifications.PreferencesView.as_view(), name="notification_preferences"),
]
