from django.urls import path

from conversions import views

app_name = "conversions"

urlpatterns = [
    path("postback", views.postback, name="postback"),
    path("aff_lsr", views.postback_hasoffers, name="postback_hasoffers"),
    path("aff_goal", views.postback_hasoffers_goal, name="postback_hasoffers_goal"),
]
