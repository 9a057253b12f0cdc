from django.urls import path

from offers import views

app_name = "offers"

urlpatterns = [
    # Manager portal
    path("manage/offers/", views.OfferListView.as_view(), name="offer_list"),
    path("manage/offers/new/", views.OfferFormView.as_view(), name="offer_create"),
    path("manage/offers/preview/", views.offer_preview, name="offer_preview"),
    path("manage/offers/<int:pk>/", views.OfferDetailView.as_view(), name="offer_detail"),
    path("manage/offers/<int:pk>/edit/", views.OfferFormView.as_view(), name="offer_update"),
    path("manage/offers/<int:pk>/archive/", views.offer_archive, name="offer_archive"),
    path("manage/access/", views.OfferAccessListView.as_view(), name="offer_access_list"),
    path("manage/access/new/", views.offer_access_create, name="offer_access_create"),
    path("manage/access/<int:pk>/status/", views.offer_access_set_status, name="offer_access_set_status"),
    path("manage/access/<int:pk>/edit/", views.OfferAccessEditView.as_view(), name="offer_access_update"),
]
