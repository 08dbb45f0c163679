from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from alveole.accounts.access import viewer_of
from alveole.accounts.models import User
from alveole.api.pagination import PageQuery, cursor_page
from alveole.core.bounds import Id
from alveole.core.errors import Invalid

from . import actions, selectors
from .access import get_conversation_for, get_message_for
from .models import Conversation, Message, MessageAttachment
from .schemas import (
    ConversationIn,
    ConversationOut,
    ConversationPage,
    ConversationStartedOut,
    MessageEditIn,
    MessageFileOut,
    MessageIn,
    MessageOut,
    MessagePage,
    MessageReactionIn,
    MuteIn,
    UnreadOut,
)

router = Router(tags=["messages"])


def _person(user: User | None) -> dict | None:
    return None if user is None else {"id": user.pk, "full_name": user.full_name, "handle": user.handle}


def _conversations_out(viewer: User, conversations: list[Conversation]) -> list[dict]:
    return [
        {
            "id": row.conversation.pk,
            "title": row.conversation.title,
            "name": row.name,
            "people": [_person(p) for p in row.people],
            "unread": row.unread,
            "muted": row.muted,
            "last_message_at": row.conversation.last_message_at,
            "created_at": row.conversation.created_at,
        }
        for row in selectors.rows_for(viewer, conversations)
    ]


def _conversation_out(viewer: User, conversation: Conversation) -> dict:
    return _conversations_out(viewer, list(selectors.inbox(viewer).filter(pk=conversation.pk)))[0]


def file_out(a: MessageAttachment) -> dict:
    return {
        "id": a.pk,
        "name": a.original_name,
        "content_type": a.content_type,
        "size": a.size,
        "width": a.width,
        "height": a.height,
        "is_image": a.is_image,
        "url": reverse("message_file", args=[a.pk, a.original_name]),
        "thumbnail_url": reverse("message_file_thumbnail", args=[a.pk]) if a.is_image else None,
        "sent": a.message_id is not None,
    }


def messages_out(viewer: User, messages: list[Message]) -> list[dict]:
    selectors.with_extras(messages, viewer)
    return [message_out(m) for m in messages]


def message_out(message: Message) -> dict:
    """One message; its files and reactions when selectors.with_extras gave them."""
    return {
        "id": message.pk,
        "conversation_id": message.conversation_id,
        "author": _person(message.author),
        "parent_id": message.parent_id,
        "body": message.body,
        "body_html": message.body_html,
        "created_at": message.created_at,
        "edited_at": message.edited_at,
        "deleted": message.deleted_at is not None,
        "files": [file_out(a) for a in getattr(message, "files", [])],
        "reactions": [
            {"emoji": r.emoji, "count": r.n, "mine": r.mine} for r in getattr(message, "reaction_counts", [])
        ],
        "my_reaction": getattr(message, "my_reaction", None),
    }


def _one_out(viewer: User, message: Message) -> dict:
    return messages_out(viewer, [message])[0]


@router.get("/conversations", response=ConversationPage, summary="My conversations, latest activity first")
def list_conversations(request: HttpRequest, query: Query[PageQuery]) -> dict:
    viewer = viewer_of(request)
    page = cursor_page(query, selectors.inbox(viewer), order=("-last_message_at", "-id"))
    return {
        "items": _conversations_out(viewer, page["items"]),
        "next_cursor": page["next_cursor"],
        "unread": selectors.unread_count(viewer),
    }


@router.get("/conversations/unread", response=UnreadOut, summary="How many messages I have not read")
def conversations_unread(request: HttpRequest) -> dict:
    return {"unread": selectors.unread_count(viewer_of(request))}


@router.post(
    "/conversations",
    response={200: ConversationStartedOut, 201: ConversationStartedOut},
    summary="Write to one person or a few (up to ALVEOLE_CONVERSATION_MAX_PEOPLE, me included)",
)
def start_conversation(request: HttpRequest, payload: ConversationIn) -> Status:
    viewer = viewer_of(request)
    conversation, created = actions.start_conversation(
        viewer, people_ids=payload.people, title=payload.title, body=payload.body
    )
    out = {"conversation": _conversation_out(viewer, conversation), "created": created}
    return Status(201 if created else 200, out)


@router.get("/conversations/{conversation_id}", response=ConversationOut, summary="One conversation")
def get_conversation(request: HttpRequest, conversation_id: Id) -> dict:
    viewer = viewer_of(request)
    return _conversation_out(viewer, get_conversation_for(viewer, conversation_id))


@router.get(
    "/conversations/{conversation_id}/messages", response=MessagePage, summary="Messages, newest first (by cursor)"
)
def list_conversation_messages(request: HttpRequest, conversation_id: Id, query: Query[PageQuery]) -> dict:
    viewer = viewer_of(request)
    conversation = get_conversation_for(viewer, conversation_id)
    page = cursor_page(query, selectors.messages_of(conversation), order=("-created_at", "-id"))
    return {**page, "items": messages_out(viewer, page["items"])}


@router.post("/conversations/{conversation_id}/messages", response={201: MessageOut}, summary="Send a message")
def send_message(request: HttpRequest, conversation_id: Id, payload: MessageIn) -> Status:
    viewer = viewer_of(request)
    conversation = get_conversation_for(viewer, conversation_id)
    parent = get_message_for(viewer, payload.parent_id) if payload.parent_id is not None else None
    message = actions.send_message(
        viewer, conversation=conversation, body=payload.body, parent=parent, attachment_ids=payload.attachment_ids
    )
    return Status(201, _one_out(viewer, message))


@router.post(
    "/conversations/{conversation_id}/files",
    response={201: MessageFileOut},
    summary="Upload a file to send in a message (then pass its id in attachment_ids)",
)
def upload_message_file(
    request: HttpRequest, conversation_id: Id, file: File[UploadedFile], name: Form[str | None] = None
) -> Status:
    """Checked like posts' files (size, content, programs refused); only I see it until it is sent."""
    viewer = viewer_of(request)
    conversation = get_conversation_for(viewer, conversation_id)
    if file.file is None:
        raise Invalid(fields={"file": "Choose a file to upload."})
    display_name = name if name is not None else (file.name or "")
    attachment = actions.upload_file(
        viewer, conversation=conversation, stream=file.file, name=display_name, size=file.size or 0
    )
    return Status(201, file_out(attachment))


@router.post(
    "/conversations/{conversation_id}/typing",
    response={204: None},
    summary="Tell the others I am writing (live, not stored; at most every 3 s)",
)
def typing(request: HttpRequest, conversation_id: Id) -> Status:
    viewer = viewer_of(request)
    actions.announce_typing(viewer, conversation=get_conversation_for(viewer, conversation_id))
    return Status(204, None)


@router.patch("/messages/{message_id}", response=MessageOut, summary="Edit my message")
def edit_message(request: HttpRequest, message_id: Id, payload: MessageEditIn) -> dict:
    viewer = viewer_of(request)
    message = actions.edit_message(viewer, message=get_message_for(viewer, message_id), body=payload.body)
    return _one_out(viewer, message)


@router.put("/messages/{message_id}/reaction", response=MessageOut, summary="React to a message (or change it)")
def set_message_reaction(request: HttpRequest, message_id: Id, payload: MessageReactionIn) -> dict:
    viewer = viewer_of(request)
    message = get_message_for(viewer, message_id)
    actions.react(viewer, message=message, kind=payload.kind)
    return _one_out(viewer, message)


@router.delete("/messages/{message_id}/reaction", response=MessageOut, summary="Remove my reaction to a message")
def remove_message_reaction(request: HttpRequest, message_id: Id) -> dict:
    viewer = viewer_of(request)
    message = get_message_for(viewer, message_id)
    actions.react(viewer, message=message, kind=None)
    return _one_out(viewer, message)


@router.delete("/messages/{message_id}", response={204: None}, summary="Delete my message")
def delete_message(request: HttpRequest, message_id: Id) -> Status:
    viewer = viewer_of(request)
    actions.delete_message(viewer, message=get_message_for(viewer, message_id))
    return Status(204, None)


@router.post("/conversations/{conversation_id}/read", response=UnreadOut, summary="Mark the conversation as read")
def read_conversation(request: HttpRequest, conversation_id: Id) -> dict:
    viewer = viewer_of(request)
    actions.mark_read(viewer, conversation=get_conversation_for(viewer, conversation_id))
    return {"unread": selectors.unread_count(viewer)}


@router.post("/conversations/{conversation_id}/mute", response=ConversationOut, summary="Mute or unmute a conversation")
def mute_conversation(request: HttpRequest, conversation_id: Id, payload: MuteIn) -> dict:
    viewer = viewer_of(request)
    conversation = get_conversation_for(viewer, conversation_id)
    actions.set_muted(viewer, conversation=conversation, muted=payload.muted)
    return _conversation_out(viewer, conversation)


@router.post("/conversations/{conversation_id}/leave", response={204: None}, summary="Leave a conversation")
def leave_conversation(request: HttpRequest, conversation_id: Id) -> Status:
    viewer = viewer_of(request)
    actions.leave_conversation(viewer, conversation=get_conversation_for(viewer, conversation_id))
    return Status(204, None)
