from django.urls import path

from areas.affiliate import billing, notifications, reports, views

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
    path("reports/scheduled/", reports.ScheduleListView.as_view(), name="report_schedule_list"),
    path("reports/scheduled/<int:pk>/delete/", reports.ScheduleDeleteView.as_view(), name="report_schedule_delete"),
    path("billing/", billing.InvoiceListView.as_view(), name="invoice_list"),
    path("billing/invoices/<int:pk>/", billing.InvoiceDetailView.as_view(), name="invoice_detail"),
    path("billing/invoices/<int:pk>/pdf/", billing.InvoiceDownloadView.as_view(kind="pdf"), name="invoice_pdf"),
    path("billing/invoices/<int:pk>/csv/", billing.InvoiceDownloadView.as_view(kind="csv"), name="invoice_csv"),
    path("billing/payment-method/", billing.PaymentMethodView.as_view(), name="payment_method"),
    path("inbox/", notifications.InboxView.as_view(), name="inbox"),
    path("inbox/read/", notifications.MarkReadView.as_view(), name="notification_read_all"),
    path("inbox/<int:pk>/read/", notifications.MarkReadView.as_view(), name="notification_read"),
    path("inbox/settings/", notifications.PreferencesView.as_view(), name="notification_preferences"),
]
