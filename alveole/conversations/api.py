from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Status

from alveole.accounts.access import viewer_of
from alveole.accounts.models import User
from alveole.api.pagination import PageQuery, cursor_page
from alveole.core.bounds import Id

from . import actions, selectors
from .access import get_conversation_for, get_message_for
from .models import Conversation, Message
from .schemas import (
    ConversationIn,
    ConversationOut,
    ConversationPage,
    ConversationStartedOut,
    MessageEditIn,
    MessageIn,
    MessageOut,
    MessagePage,
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


def message_out(message: Message) -> dict:
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
    }


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
    return cursor_page(query, selectors.messages_of(conversation), order=("-created_at", "-id"), out=message_out)


@router.post("/conversations/{conversation_id}/messages", response={201: MessageOut}, summary="Send a message")
def send_message(request: HttpRequest, conversation_id: Id, payload: MessageIn) -> Status:
    viewer = viewer_of(request)
    conversation = get_conversation_for(viewer, conversation_id)
    parent = get_message_for(viewer, payload.parent_id) if payload.parent_id is not None else None
    message = actions.send_message(viewer, conversation=conversation, body=payload.body, parent=parent)
    return Status(201, message_out(message))


@router.patch("/messages/{message_id}", response=MessageOut, summary="Edit my message")
def edit_message(request: HttpRequest, message_id: Id, payload: MessageEditIn) -> dict:
    viewer = viewer_of(request)
    return message_out(actions.edit_message(viewer, message=get_message_for(viewer, message_id), body=payload.body))


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
