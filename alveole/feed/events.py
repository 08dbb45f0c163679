"""The live events the feed emits (see alveole.live). Payloads carry the new state, so that a
client applying them reaches what a fresh fetch would show."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from alveole.live.publish import LiveEvent


class Author(BaseModel):
    id: int
    full_name: str
    handle: str


class PostCreated(LiveEvent):
    type: Literal["post.created"] = "post.created"
    post_id: int
    space_id: int | None
    author: Author
    kind: str
    body: str
    body_html: str
    created_at: datetime
    is_share: bool
    shared_post_id: int | None
    attachment_ids: list[int]


class PostUpdated(LiveEvent):
    type: Literal["post.updated"] = "post.updated"
    post_id: int
    body: str
    body_html: str
    edited_at: datetime | None
    pinned: bool
    answered: bool


class PostDeleted(LiveEvent):
    type: Literal["post.deleted"] = "post.deleted"
    post_id: int


class PostHidden(LiveEvent):
    """A moderator hid or showed again a post: each page asks for the card as its viewer may see it."""

    type: Literal["post.hidden"] = "post.hidden"
    post_id: int
    hidden: bool


class PostReviewed(LiveEvent):
    """A moderator approved or refused a held post. Sent to those who saw it waiting (its author and
    moderators): each page asks for the card as its viewer may see it now. Everyone else gets
    post.created on approval."""

    type: Literal["post.reviewed"] = "post.reviewed"
    post_id: int
    review: str  # published or refused


class CommentCreated(LiveEvent):
    type: Literal["comment.created"] = "comment.created"
    comment_id: int
    post_id: int
    parent_id: int | None
    author: Author
    body: str
    body_html: str
    created_at: datetime
    comment_count: int


class CommentUpdated(LiveEvent):
    type: Literal["comment.updated"] = "comment.updated"
    comment_id: int
    post_id: int
    body: str
    body_html: str
    edited_at: datetime | None
    is_answer: bool


class CommentDeleted(LiveEvent):
    type: Literal["comment.deleted"] = "comment.deleted"
    comment_id: int
    post_id: int
    comment_count: int


class CommentHidden(LiveEvent):
    """As PostHidden, for a comment."""

    type: Literal["comment.hidden"] = "comment.hidden"
    comment_id: int
    post_id: int
    hidden: bool


class CommentReviewed(LiveEvent):
    """As PostReviewed, for a comment; everyone else gets comment.created on approval."""

    type: Literal["comment.reviewed"] = "comment.reviewed"
    comment_id: int
    post_id: int
    review: str
    comment_count: int


class ReactionChanged(LiveEvent):
    type: Literal["reaction.changed"] = "reaction.changed"
    post_id: int
    user_id: int
    kind: str | None  # the emoji; None: the reaction was removed
    reactions: dict[str, int]  # emoji -> count
    order: list[str]  # the emoji as the bar shows them (feed.reactions.ordered): the page does not sort
    reaction_count: int
