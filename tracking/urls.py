from django.urls import path

from tracking import views

urlpatterns = [
    path("click", views.click, name="click"),
    path("aff_c", views.click, name="click_hasoffers"),
]
