from django.urls import URLPattern, path

from . import views

urlpatterns: list[URLPattern] = [
    path("admin/settings/sso/", views.sso_settings, name="sso_settings"),
    path("admin/settings/sso/remove/", views.sso_remove, name="sso_remove"),
    path("sso/start/", views.sso_start, name="sso_start"),
]
