from django.urls import URLPattern, path

from . import views

urlpatterns: list[URLPattern] = [
    path("search/", views.search, name="search"),
]
