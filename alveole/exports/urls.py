from django.urls import path

from . import views

urlpatterns = [
    path("spaces/<int:space_id>/export/", views.space_export, name="space_export"),
    path("admin/export/", views.organisation_export, name="organisation_export"),
    path("exports/<int:export_id>/", views.export_detail, name="export_detail"),
    path("exports/<int:export_id>/download/", views.export_download, name="export_download"),
]
