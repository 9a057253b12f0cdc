from django.urls import path

from tracking import views

app_name = "tracking"

urlpatterns = [
    path("click", views.click, name="click"),
    path("aff_c", views.click, name="click_hasoffers"),
]
