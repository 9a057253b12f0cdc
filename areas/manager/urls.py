"""The manager portal under /manage/: every page a network manager opens, one namespace ("manager")."""

from django.urls import path

from areas.manager import clicks, conversions, dashboard, offers, partners, reports, system

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
    # Conversions and the postback log
    path("conversions/", conversions.ConversionListView.as_view(), name="conversion_list"),
    path("conversions/csv/", conversions.ConversionCsvView.as_view(), name="conversion_csv"),
    path("conversions/bulk/", conversions.conversion_bulk_status, name="conversion_bulk_status"),
    path("conversions/<int:pk>/", conversions.ConversionDetailView.as_view(), name="conversion_detail"),
    path("conversions/<int:pk>/status/", conversions.conversion_set_status_view, name="conversion_set_status"),
    path("postbacks/", conversions.PostbackLogListView.as_view(), name="postback_log_list"),
    path("postbacks/<int:pk>/", conversions.PostbackLogDetailView.as_view(), name="postback_log_detail"),
    path("postbacks/<int:pk>/replay/", conversions.postback_log_replay, name="postback_log_replay"),
    # Clicks
    path("clicks/", clicks.ClickListView.as_view(), name="click_list"),
    path("clicks/csv/", clicks.ClickCsvView.as_view(), name="click_csv"),
    path("clicks/<str:transaction_id>/", clicks.ClickDetailView.as_view(), name="click_detail"),
    # Reports
    path("reports/", reports.ReportView.as_view(), name="report"),
    # Background work, queues and storage
    path("system/", system.system_status, name="system"),
    path("reports/csv/", reports.ReportView.as_view(as_csv=True), name="report_csv"),
]
