from django.urls import path

from . import downloads, views

urlpatterns = [
    path("topics/<str:name>/", views.topic, name="topic"),
    path("files/<int:attachment_id>/thumbnail", downloads.attachment_thumbnail, name="attachment_thumbnail"),
    path("files/<int:attachment_id>/<path:name>", downloads.attachment, name="attachment"),
]
