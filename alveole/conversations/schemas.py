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


class MessageFileOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    width: int | None
    height: int | None
    is_image: bool
    url: str = Field(description="the download, for the conversation's participants only")
    thumbnail_url: str | None
    sent: bool = Field(description="false for an upload not sent yet: pass its id in a message's attachment_ids")


class MessageReactionOut(Schema):
    emoji: str
    count: int
    mine: bool = Field(description="whether it is my reaction")


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
    files: list[MessageFileOut] = Field(default_factory=list)
    reactions: list[MessageReactionOut] = Field(
        default_factory=list, description="most given first (as the page shows them)"
    )
    my_reaction: str | None = Field(None, description="the emoji I reacted with, if any")


class MessagePage(Schema):
    items: list[MessageOut]
    next_cursor: str | None


class MessageIn(Schema):
    body: str = Field("", description="Markdown; may be empty when files are attached")
    parent_id: Id | None = None
    attachment_ids: list[Id] = Field(
        default_factory=list,
        description="files uploaded to this conversation first (POST …/files), up to ALVEOLE_MESSAGE_FILES_MAX",
    )


class MessageReactionIn(Schema):
    kind: str = Field(
        description="Exactly one emoji, e.g. 👍 or 🚀 (as posts' reactions). One per person per message: "
        "another replaces mine; DELETE removes it."
    )


class MessageEditIn(Schema):
    body: str = ""


class MuteIn(Schema):
    muted: bool = True


class UnreadOut(Schema):
    unread: int
