from django.urls import path

from . import views

urlpatterns = [
    path("spaces/", views.spaces, name="spaces"),
    path("spaces/new/", views.space_create, name="space_create"),
    path("spaces/<int:space_id>/members/", views.space_members, name="space_members"),
    path("spaces/<int:space_id>/settings/", views.space_settings, name="space_settings"),
    path("spaces/<int:space_id>/join/", views.space_join, name="space_join"),
    path("spaces/<int:space_id>/leave/", views.space_leave, name="space_leave"),
    path("spaces/<int:space_id>/star/", views.space_star, name="space_star"),
    path("spaces/<int:space_id>/archive/", views.space_archive, name="space_archive"),
    path("spaces/<int:space_id>/unarchive/", views.space_unarchive, name="space_unarchive"),
    path("spaces/<int:space_id>/members/add/", views.space_member_add, name="space_member_add"),
    path("spaces/<int:space_id>/members/<int:user_id>/role/", views.space_member_role, name="space_member_role"),
    path("spaces/<int:space_id>/members/<int:user_id>/remove/", views.space_member_remove, name="space_member_remove"),
]
