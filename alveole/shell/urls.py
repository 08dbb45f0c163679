from django.urls import path

from . import home, installable
from .first_steps_views import first_steps_dismiss

urlpatterns = [
    path("", home.home, name="home"),
    path("first-steps/dismiss/", first_steps_dismiss, name="first_steps_dismiss"),
    # At the root: a service worker controls the pages under its own address only.
    path("sw.js", installable.service_worker, name="service_worker"),
    path("manifest.webmanifest", installable.manifest, name="manifest"),
]
