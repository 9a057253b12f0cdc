from django.urls import path

from partners import advertiser_views as views

app_name = "advertiser"

urlpatterns = [
    path("", views.OfferListView.as_view(), name="home"),
    path("offers/<int:pk>/", views.OfferDetailView.as_view(), name="offer_detail"),
    path("offers/<int:pk>/test/", views.integration_test_start, name="integration_test_start"),
    path("offers/<int:pk>/test/<str:transaction_id>/", views.IntegrationTestView.as_view(), name="integration_test"),
    path("conversions/", views.ConversionListView.as_view(), name="conversion_list"),
]
