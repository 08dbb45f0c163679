from django.urls import URLPattern, path, re_path

from . import protocol, views

urlpatterns: list[URLPattern] = [
    path("admin/settings/scim/", views.scim_settings, name="scim_settings"),
    path("admin/settings/scim/<int:token_id>/revoke/", views.scim_token_revoke, name="scim_token_revoke"),
    # Every path under /scim/v2, with or without a trailing slash: scim2-server routes it.
    re_path(r"^scim/v2(?P<path>/.*)?$", protocol.scim_endpoint, name="scim"),
]
