from django.urls import URLPattern, re_path

from . import protocol

urlpatterns: list[URLPattern] = [
    # Every path under /scim/v2, with or without a trailing slash: scim2-server routes it.
    re_path(r"^scim/v2(?P<path>/.*)?$", protocol.scim_endpoint, name="scim"),
]
