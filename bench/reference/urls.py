from django.urls import path

from bench.reference import views

urlpatterns = [path("click", views.hit)]
