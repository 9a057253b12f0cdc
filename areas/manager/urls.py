"""The manager portal under /manage/: every page a network manager opens, one namespace ("manager")."""

from django.urls import path

from areas.manager import (
    audit,
    billing,
    blocklists,
    catalogue,
    clicks,
    conversions,
    dashboard,
    notifications,
    offers,
    partners,
    reports,
    system,
)

app_name = "manager"

urlpatterns = [
    path("", dashboard.manage_home, name="home"),
    # Offers and who may run them
    path("offers/", offers.OfferListView.as_view(), name="offer_list"),
    path("offers/new/", offers.OfferFormView.as_view(), name="offer_create"),
    path("offers/preview/", offers.offer_preview, name="offer_preview"),
    path("offers/<int:pk>/", offers.OfferDetailView.as_view(), name="offer_detail"),
    path("offers/<int:pk>/edit/", offers.OfferFormView.as_view(), name="offer_update"),
    path("offers/<int:pk>/archive/", offers.offer_archive, name="offer_archive"),
    # Creatives, coupon codes, categories (README.md, Creatives / Coupon codes / Offer catalogue)
    path("offers/<int:pk>/creatives/", catalogue.OfferCreativesView.as_view(), name="offer_creatives"),
    path("creatives/<int:pk>/delete/", catalogue.creative_delete, name="creative_delete"),
    path("offers/<int:pk>/coupons/", catalogue.OfferCouponsView.as_view(), name="offer_coupons"),
    path("coupons/<int:pk>/delete/", catalogue.coupon_delete, name="coupon_delete"),
    path("categories/", catalogue.CategoryListView.as_view(), name="category_list"),
    path("categories/<int:pk>/delete/", catalogue.category_delete, name="category_delete"),
    path("access/", offers.OfferAccessListView.as_view(), name="offer_access_list"),
    path("access/new/", offers.offer_access_create, name="offer_access_create"),
    path("access/<int:pk>/status/", offers.offer_access_set_status, name="offer_access_set_status"),
    path("access/<int:pk>/edit/", offers.OfferAccessEditView.as_view(), name="offer_access_update"),
    # Advertisers
    path("advertisers/", partners.AdvertiserListView.as_view(), name="advertiser_list"),
    path("advertisers/new/", partners.AdvertiserFormView.as_view(), name="advertiser_create"),
    path("advertisers/<int:pk>/", partners.AdvertiserDetailView.as_view(), name="advertiser_detail"),
    path("advertisers/<int:pk>/edit/", partners.AdvertiserFormView.as_view(), name="advertiser_update"),
    path("advertisers/<int:pk>/status/", partners.advertiser_set_status, name="advertiser_set_status"),
    path("advertisers/<int:pk>/token/", partners.advertiser_rotate_token, name="advertiser_rotate_token"),
    path("advertisers/<int:pk>/token/clear/", partners.advertiser_clear_token, name="advertiser_clear_token"),
    path(
        "advertisers/<int:pk>/signing-secret/",
        partners.advertiser_rotate_signing_secret,
        name="advertiser_rotate_signing_secret",
    ),
    path("advertisers/<int:pk>/invite/", partners.advertiser_member_invite, name="advertiser_member_invite"),
    path(
        "advertisers/<int:pk>/billing/",
        billing.AdvertiserBillingProfileView.as_view(),
        name="advertiser_billing_profile",
    ),
    # Affiliates and their applications
    path("affiliates/", partners.AffiliateListView.as_view(), name="affiliate_list"),
    path("affiliates/new/", partners.AffiliateFormView.as_view(), name="affiliate_create"),
    path("affiliates/<int:pk>/", partners.AffiliateDetailView.as_view(), name="affiliate_detail"),
    path("affiliates/<int:pk>/edit/", partners.AffiliateFormView.as_view(), name="affiliate_update"),
    path("affiliates/<int:pk>/status/", partners.affiliate_set_status, name="affiliate_set_status"),
    path(
        "affiliates/<int:pk>/application/approve/",
        partners.affiliate_application_approve,
        name="affiliate_application_approve",
    ),
    path(
        "affiliates/<int:pk>/application/reject/",
        partners.affiliate_application_reject,
        name="affiliate_application_reject",
    ),
    path(
        "affiliates/<int:pk>/postback-secret/",
        partners.affiliate_rotate_postback_secret,
        name="affiliate_rotate_postback_secret",
    ),
    path("affiliates/<int:pk>/invite/", partners.affiliate_member_invite, name="affiliate_member_invite"),
    path(
        "affiliates/<int:pk>/billing/", billing.AffiliateBillingProfileView.as_view(), name="affiliate_billing_profile"
    ),
    # Conversions and the postback log
    path("conversions/", conversions.ConversionListView.as_view(), name="conversion_list"),
    path("conversions/csv/", conversions.ConversionCsvView.as_view(), name="conversion_csv"),
    path("conversions/bulk/", conversions.conversion_bulk_status, name="conversion_bulk_status"),
    path("conversions/flagged/", conversions.FlaggedConversionListView.as_view(), name="conversion_flagged_list"),
    path("conversions/<int:pk>/", conversions.ConversionDetailView.as_view(), name="conversion_detail"),
    path("conversions/<int:pk>/status/", conversions.conversion_set_status_view, name="conversion_set_status"),
    path("postbacks/", conversions.PostbackLogListView.as_view(), name="postback_log_list"),
    path("postbacks/<int:pk>/", conversions.PostbackLogDetailView.as_view(), name="postback_log_detail"),
    path("postbacks/<int:pk>/replay/", conversions.postback_log_replay, name="postback_log_replay"),
    # Clicks
    # Blocklists (README, Traffic quality): network-wide and per offer
    path("offers/blocklist/", blocklists.BlockEntryListView.as_view(), name="block_entry_list"),
    path("offers/blocklist/<int:pk>/delete/", blocklists.block_entry_remove, name="block_entry_delete"),
    path("offers/<int:pk>/blocklist/", blocklists.BlockEntryListView.as_view(), name="offer_block_entries"),
    path("clicks/", clicks.ClickListView.as_view(), name="click_list"),
    path("clicks/csv/", clicks.ClickCsvView.as_view(), name="click_csv"),
    path("clicks/<str:transaction_id>/", clicks.ClickDetailView.as_view(), name="click_detail"),
    # Reports
    path("reports/", reports.ReportView.as_view(), name="report"),
    # Billing: drafts to review, to pay, overdue advertiser invoices, payments (README.md, Billing)
    path("billing/", billing.DraftListView.as_view(), name="billing"),
    path("billing/invoices/", billing.InvoiceListView.as_view(), name="invoice_list"),
    path("billing/invoices/<int:pk>/", billing.InvoiceDetailView.as_view(), name="invoice_detail"),
    path("billing/invoices/<int:pk>/pdf/", billing.invoice_pdf, name="invoice_pdf"),
    path("billing/invoices/<int:pk>/csv/", billing.invoice_csv, name="invoice_csv"),
    path("billing/invoices/<int:pk>/adjustments/", billing.invoice_adjustment_add, name="invoice_adjustment_add"),
    path("billing/invoices/<int:pk>/issue/", billing.invoice_issue, name="invoice_issue"),
    path("billing/invoices/<int:pk>/void/", billing.invoice_void, name="invoice_void"),
    path("billing/invoices/<int:pk>/mark-paid/", billing.invoice_mark_paid, name="invoice_mark_paid"),
    path("billing/to-pay/", billing.ToPayView.as_view(), name="billing_to_pay"),
    path("billing/to-pay/csv/", billing.to_pay_csv, name="billing_to_pay_csv"),
    path("billing/overdue/", billing.OverdueView.as_view(), name="billing_overdue"),
    path("billing/payments/", billing.PaymentListView.as_view(), name="payment_list"),
    path("billing/payments/new/", billing.PaymentCreateView.as_view(), name="payment_create"),
    # Who changed what (README, Audit trail)
    path("audit/", audit.AuditEntryListView.as_view(), name="audit_list"),
    # Background work, queues and storage
    path("system/", system.system_status, name="system"),
    path("reports/csv/", reports.ReportView.as_view(as_csv=True), name="report_csv"),
    path("reports/time-to-convert/", reports.ConversionTimeReportView.as_view(), name="conversion_time_report"),
    # Scheduled reports and the inbox (README, Notifications; Scheduled reports)
    path("reports/scheduled/", reports.ScheduleListView.as_view(), name="report_schedule_list"),
    path("reports/scheduled/<int:pk>/delete/", reports.ScheduleDeleteView.as_view(), name="report_schedule_delete"),
    path("inbox/", notifications.InboxView.as_view(), name="inbox"),
    path("inbox/read/", notifications.MarkReadView.as_view(), name="notification_read_all"),
    path("inbox/<int:pk>/read/", notifications.MarkReadView.as_view(), name="notification_read"),
    path("inbox/settings/", notifications.PreferencesView.as_view(), name="notification_preferences"),
]
