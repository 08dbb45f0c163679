from django.urls import path

from . import downloads, views

urlpatterns = [
    path("messages/", views.inbox, name="messages"),
    path("messages/new/", views.start, name="message_start"),
    path("messages/<int:conversation_id>/", views.conversation, name="conversation"),
    path("messages/<int:conversation_id>/send/", views.send, name="conversation_send"),
    path("messages/<int:conversation_id>/mute/", views.mute, name="conversation_mute"),
    path("messages/<int:conversation_id>/leave/", views.leave, name="conversation_leave"),
    path("messages/message/<int:message_id>/", views.message_fragment, name="message_fragment"),
    path("messages/message/<int:message_id>/edit/", views.edit_message, name="message_edit"),
    path("messages/message/<int:message_id>/delete/", views.delete_message, name="message_delete"),
    path("messages/message/<int:message_id>/react/", views.react, name="message_react"),
    path(
        "messages/files/<int:attachment_id>/thumbnail", downloads.message_file_thumbnail, name="message_file_thumbnail"
    ),
    path("messages/files/<int:attachment_id>/<path:name>", downloads.message_file, name="message_file"),
]
