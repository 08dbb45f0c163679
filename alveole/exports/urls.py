from django.urls import path

from . import views

urlpatterns = [
    path("spaces/<int:space_id>/export/", views.space_export, name="space_export"),
    path("admin/export/", views.organisation_export, name="organisation_export"),
    path("profile/export/", views.personal_export, name="personal_export"),
    path("spaces/<int:space_id>/retention/", views.space_retention, name="space_retention"),
    path("spaces/<int:space_id>/legal-hold/", views.space_legal_hold, name="space_legal_hold"),
    path("admin/retention/", views.organisation_retention, name="organisation_retention"),
    path("exports/<int:export_id>/", views.export_detail, name="export_detail"),
    path("exports/<int:export_id>/download/", views.export_download, name="export_download"),
]
