from django.urls import path

from . import views

urlpatterns = [
    path("posts/<int:post_id>/report/", views.report_post, name="report_post"),
    path("comments/<int:comment_id>/report/", views.report_comment, name="report_comment"),
    path("moderation/", views.queue, name="moderation_queue"),
    path("moderation/reports/<int:report_id>/<slug:step>/", views.settle, name="moderation_settle"),
    path("moderation/<str:kind>/<int:item_id>/approve/", views.approve, name="moderation_approve"),
    path("moderation/<str:kind>/<int:item_id>/refuse/", views.refuse, name="moderation_refuse"),
    path("spaces/<int:space_id>/moderation/", views.space_moderation, name="space_moderation"),
]
