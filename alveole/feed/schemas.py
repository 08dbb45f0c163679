from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ninja import Schema
from pydantic import Field

from alveole.core.bounds import Id


class AuthorOut(Schema):
    id: int
    full_name: str
    handle: str


class SpaceRefOut(Schema):
    id: int
    name: str


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    width: int | None
    height: int | None
    is_image: bool
    url: str
    thumbnail_url: str | None


class SharedPostOut(Schema):
    id: int
    space: SpaceRefOut | None
    author: AuthorOut
    kind: str
    body: str
    body_html: str
    created_at: datetime
    attachments: list[AttachmentOut]


class PostOut(Schema):
    id: int
    space: SpaceRefOut | None = Field(description="null: posted on the author's profile for their followers")
    author: AuthorOut
    kind: str = Field(description="update, question or announcement")
    body: str = Field(description="Markdown source")
    body_html: str = Field(description="Sanitized HTML, mentions and topics linked")
    created_at: datetime
    edited_at: datetime | None
    pinned: bool
    answered: bool
    hidden: bool = Field(description="hidden by a moderator: only its author and its moderators see it")
    review: str = Field(
        description="published; held (waiting for a manager's validation: only its author and moderators see it); "
        "refused (only its author sees it)"
    )
    refusal_reason: str = Field(description="why a moderator refused it (empty unless refused)")
    comment_count: int
    reactions: dict[str, int] = Field(description="emoji -> how many people reacted with it")
    my_reaction: str | None = Field(description="the emoji I reacted with, if any")
    attachments: list[AttachmentOut]
    unread: bool
    is_share: bool
    shared_post: SharedPostOut | None
    shared_post_unavailable: bool = Field(description="a share whose original the viewer may not read")
    label_id: int | None = Field(
        None, description="its confidentiality label, the higher of its space's and its own; null: the lowest"
    )
    confidential: bool = Field(False, description="confidential: not shared out of its space, not in emails")


class PostCreatedOut(PostOut):
    warnings: list[str] = Field(description="e.g. people mentioned who cannot see the space (not notified)")


class FeedPageOut(Schema):
    items: list[PostOut]
    next_cursor: str | None
    pinned: list[PostOut] = Field(default_factory=list, description="space feeds, first page only")


class PostIn(Schema):
    space_id: Id | None = Field(None, description="null: post on my profile, for my followers")
    body: str = ""
    kind: str = "update"
    attachment_ids: list[Id] = Field(default_factory=list)
    label_id: Id | None = Field(None, description="raise the space's confidentiality label for this post")
    idempotency_key: UUID | None = Field(
        None,
        description="a UUID chosen by the client (or the Idempotency-Key header): sending the same key again "
        "returns the post already created (200) instead of creating another",
    )


class PostPatch(Schema):
    body: str


class RevisionOut(Schema):
    body: str
    created_at: datetime
    editor_id: int | None


class CommentOut(Schema):
    id: int
    post_id: int
    parent_id: int | None
    author: AuthorOut
    body: str
    body_html: str
    created_at: datetime
    edited_at: datetime | None
    is_answer: bool
    hidden: bool = Field(description="hidden by a moderator: only its author and its moderators see it")
    review: str = Field(
        description="published; held (waiting for a manager's validation: only its author and moderators see it); "
        "refused (only its author sees it)"
    )
    refusal_reason: str = Field(description="why a moderator refused it (empty unless refused)")
    attachments: list[AttachmentOut]


class CommentCreatedOut(CommentOut):
    warnings: list[str]


class CommentIn(Schema):
    body: str = ""
    parent_id: Id | None = None
    attachment_ids: list[Id] = Field(default_factory=list)


class CommentPatch(Schema):
    body: str


class ReactionIn(Schema):
    kind: str = Field(
        "👍",
        description="Exactly one emoji, e.g. 👍 or 🚀 (any of the Unicode set). The names of the former "
        "kinds are still accepted: like 👍, love ❤️, celebrate 🎉, laugh 😄, idea 💡, sad 😢. The same "
        "emoji again removes my reaction; another replaces it.",
    )


class ReactionStateOut(Schema):
    my_reaction: str | None = Field(description="the emoji I reacted with, if any")
    reactions: dict[str, int] = Field(description="emoji -> how many people reacted with it")


class ReactorOut(Schema):
    user: AuthorOut
    kind: str = Field(description="the emoji")
    created_at: datetime


class ShareIn(Schema):
    space_id: Id | None = Field(None, description="null: share to my followers")
    body: str = ""


class FollowIn(Schema):
    person_id: Id | None = None
    space_id: Id | None = None
    topic: str | None = Field(None, description="a topic name, without #")


class FollowOut(Schema):
    id: int
    person: AuthorOut | None
    space: SpaceRefOut | None
    topic: str | None
    created_at: datetime

    @staticmethod
    def resolve_topic(obj: object) -> str | None:
        topic = getattr(obj, "topic", None)
        return topic.name if topic is not None else None


class ReadsIn(Schema):
    post_ids: list[Id] = Field(max_length=200)


class ReadsOut(Schema):
    recorded: int


class TopicOut(Schema):
    name: str
    label: str
    following: bool


class TopicEntryOut(Schema):
    name: str
    label: str
    posts: int = Field(description="posts about it that I may read")
    last_used: datetime | None = Field(description="when the newest of those was posted")
    followers: int = Field(description="people following it whom I may see")
    following: bool


class TopicListOut(Schema):
    items: list[TopicEntryOut]


class TopPostOut(Schema):
    id: int
    space: SpaceRefOut | None
    author: AuthorOut
    excerpt: str
    score: int


class PostLabelIn(Schema):
    label_id: Id = Field(description="a label of the organisation (GET /labels), at least the space's")
