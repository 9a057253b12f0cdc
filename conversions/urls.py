from django.urls import path

from conversions import views

app_name = "conversions"

urlpatterns = [
    path("postback", views.postback, name="postback"),
    path("aff_lsr", views.postback_hasoffers, name="postback_hasoffers"),
    path("aff_goal", views.postback_hasoffers_goal, name="postback_hasoffers_goal"),
    # Manager portal
    path("manage/conversions/", views.ConversionListView.as_view(), name="conversion_list"),
    path("manage/conversions/bulk/", views.conversion_bulk_status, name="conversion_bulk_status"),
    path("manage/conversions/<int:pk>/", views.ConversionDetailView.as_view(), name="conversion_detail"),
    path("manage/conversions/<int:pk>/status/", views.conversion_set_status_view, name="conversion_set_status"),
    path("manage/postbacks/", views.PostbackLogListView.as_view(), name="postback_log_list"),
    path("manage/postbacks/<int:pk>/", views.PostbackLogDetailView.as_view(), name="postback_log_detail"),
    path("manage/postbacks/<int:pk>/replay/", views.postback_log_replay, name="postback_log_replay"),
]
