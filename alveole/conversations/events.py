"""The live events of direct messages: each goes to one participant (Audience.USER), never to a space.

They carry no text: the log keeps events for days, and a deleted message must be gone from everywhere.
"X is typing…" is not an event of the log: actions.announce_typing sends it through live.publish_ephemeral.
Clients fetch the message as the server draws it (GET /messages/message/<id>/ or the API)."""

from __future__ import annotations

import datetime
from typing import Literal

from pydantic import BaseModel

from alveole.live.publish import LiveEvent


class Author(BaseModel):
    id: int
    full_name: str
    handle: str


class MessageSent(LiveEvent):
    type: Literal["conversation.message"] = "conversation.message"
    conversation_id: int
    message_id: int
    parent_id: int | None = None
    author: Author | None
    created_at: datetime.datetime
    unread: int  # the recipient's unread messages across conversations, after this one


class MessageUpdated(LiveEvent):
    type: Literal["conversation.message_updated"] = "conversation.message_updated"
    conversation_id: int
    message_id: int
    edited_at: datetime.datetime | None
    deleted: bool = False


class UnreadChanged(LiveEvent):
    type: Literal["conversations.unread"] = "conversations.unread"
    unread: int
    conversation_id: int | None = None


class MessageReacted(LiveEvent):
    """Someone reacted to a message, changed or removed their reaction: the counts after it, in the order
    the page shows them (feed.reactions.ordered), and the recipient's own reaction."""

    type: Literal["conversation.message_reacted"] = "conversation.message_reacted"
    conversation_id: int
    message_id: int
    user_id: int  # who reacted
    reactions: dict[str, int]
    order: list[str]
    mine: str | None = None
