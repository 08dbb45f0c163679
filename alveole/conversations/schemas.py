"""The API's shapes for direct messages."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field

from alveole.core.bounds import Id


class PersonOut(Schema):
    id: int
    full_name: str
    handle: str


class ConversationOut(Schema):
    id: int
    title: str = Field(description="empty for a conversation without a title: `name` lists the people")
    name: str
    people: list[PersonOut] = Field(description="the other participants, who have not left")
    unread: int
    muted: bool
    last_message_at: datetime | None
    created_at: datetime


class ConversationPage(Schema):
    items: list[ConversationOut]
    next_cursor: str | None
    unread: int = Field(description="unread messages across my conversations, muted ones left out")


class ConversationIn(Schema):
    people: list[Id] = Field(description="the people to write to (not me); one person reopens our conversation")
    title: str = ""
    body: str = Field("", description="a first message (Markdown), optional")


class ConversationStartedOut(Schema):
    conversation: ConversationOut
    created: bool


class MessageOut(Schema):
    id: int
    conversation_id: int
    author: PersonOut | None
    parent_id: int | None
    body: str
    body_html: str
    created_at: datetime
    edited_at: datetime | None
    deleted: bool


class MessagePage(Schema):
    items: list[MessageOut]
    next_cursor: str | None


class MessageIn(Schema):
    body: str = ""
    parent_id: Id | None = None


class MessageEditIn(Schema):
    body: str = ""


class MuteIn(Schema):
    muted: bool = True


class UnreadOut(Schema):
    unread: int
