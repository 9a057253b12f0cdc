from django.urls import path

from tracking import views

app_name = "tracking"

urlpatterns = [
    path("click", views.click, name="click"),
    path("aff_c", views.click, name="click_hasoffers"),
    # Manager portal
    path("manage/clicks/", views.ClickListView.as_view(), name="click_list"),
    path("manage/clicks/<str:transaction_id>/", views.ClickDetailView.as_view(), name="click_detail"),
]
