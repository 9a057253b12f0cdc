from django.urls import path

from partners import views

app_name = "partners"

urlpatterns = [
    # Manager portal
    path("manage/advertisers/", views.AdvertiserListView.as_view(), name="advertiser_list"),
    path("manage/advertisers/new/", views.AdvertiserFormView.as_view(), name="advertiser_create"),
    path("manage/advertisers/<int:pk>/", views.AdvertiserDetailView.as_view(), name="advertiser_detail"),
    path("manage/advertisers/<int:pk>/edit/", views.AdvertiserFormView.as_view(), name="advertiser_update"),
    path("manage/advertisers/<int:pk>/status/", views.advertiser_set_status, name="advertiser_set_status"),
    path("manage/advertisers/<int:pk>/token/", views.advertiser_rotate_token, name="advertiser_rotate_token"),
    path("manage/advertisers/<int:pk>/token/clear/", views.advertiser_clear_token, name="advertiser_clear_token"),
    path(
        "manage/advertisers/<int:pk>/signing-secret/",
        views.advertiser_rotate_signing_secret,
        name="advertiser_rotate_signing_secret",
    ),
    path("manage/affiliates/", views.AffiliateListView.as_view(), name="affiliate_list"),
    path("manage/affiliates/new/", views.AffiliateFormView.as_view(), name="affiliate_create"),
    path("manage/affiliates/<int:pk>/", views.AffiliateDetailView.as_view(), name="affiliate_detail"),
    path("manage/affiliates/<int:pk>/edit/", views.AffiliateFormView.as_view(), name="affiliate_update"),
    path("manage/affiliates/<int:pk>/status/", views.affiliate_set_status, name="affiliate_set_status"),
]
