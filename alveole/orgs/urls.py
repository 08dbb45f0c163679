from django.urls import path

from . import views

urlpatterns = [
    path("invite/<str:key>/", views.invitation_accept, name="invitation_accept"),
]
