from django.urls import path

from . import home
from .first_steps_views import first_steps_dismiss

urlpatterns = [
    path("", home.home, name="home"),
    path("first-steps/dismiss/", first_steps_dismiss, name="first_steps_dismiss"),
]
