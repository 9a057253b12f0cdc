from django.urls import path

from offers import views

app_name = "offers"

urlpatterns = [
    path("creatives/<int:pk>/image/", views.creative_image, name="creative_image"),
    path("creative/<str:key>", views.creative_public, name="creative_public"),
]
