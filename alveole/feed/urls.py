from django.urls import path

from . import downloads, views

urlpatterns = [
    path("spaces/<int:space_id>/", views.space_detail, name="space_detail"),
    path("people/<int:user_id>/", views.person, name="person"),
    path("topics/", views.topics, name="topics"),
    path("topics/<str:name>/", views.topic, name="topic"),
    path("topics/<str:name>/follow/", views.topic_follow, name="topic_follow"),
    path("people/<int:user_id>/follow/", views.person_follow, name="person_follow"),
    path("posts/new/", views.post_create, name="post_create"),
    path("posts/<int:post_id>/", views.post_detail, name="post"),
    path("posts/<int:post_id>/edit/", views.post_edit, name="post_edit"),
    path("posts/<int:post_id>/delete/", views.post_delete, name="post_delete"),
    path("posts/<int:post_id>/pin/", views.post_pin, name="post_pin"),
    path("posts/<int:post_id>/react/", views.post_react, name="post_react"),
    path("posts/<int:post_id>/reactions/", views.post_reactions, name="post_reactions"),
    path("reactions/emoji/<str:language>.json", views.emoji_data, name="emoji_data"),
    path("posts/<int:post_id>/share/", views.post_share, name="post_share"),
    path("posts/<int:post_id>/comments/", views.post_comments, name="post_comments"),
    path("comments/<int:comment_id>/edit/", views.comment_edit, name="comment_edit"),
    path("comments/<int:comment_id>/delete/", views.comment_delete, name="comment_delete"),
    path("comments/<int:comment_id>/answer/", views.comment_answer, name="comment_answer"),
    path("files/<int:attachment_id>/thumbnail", downloads.attachment_thumbnail, name="attachment_thumbnail"),
    path("files/<int:attachment_id>/<path:name>", downloads.attachment, name="attachment"),
]
