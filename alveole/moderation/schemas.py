from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.conf import settings
from ninja import Schema
from pydantic import Field

from alveole.core.bounds import Id
from alveole.feed.schemas import AuthorOut, SpaceRefOut


class ReportIn(Schema):
    reason: str = Field(description="spam, harassment, confidential, off_topic or other")
    note: str = Field("", description="what the moderators should know (at most 1000 characters)")


class MyReportOut(Schema):
    """What the reporter sent; who else reported the item stays with the moderators."""

    post_id: int
    comment_id: int | None
    reason: str
    note: str


class ReporterOut(Schema):
    person: AuthorOut
    reason: str
    note: str
    created_at: datetime


class ReportOut(Schema):
    id: int
    status: str = Field(description="open, hidden (the item is hidden and may be shown again), dismissed or deleted")
    post_id: int
    comment_id: int | None
    space: SpaceRefOut | None = Field(description="null: a post on its author's profile")
    author: AuthorOut = Field(description="who wrote the reported item")
    body: str
    body_html: str
    count: int = Field(description="how many people reported it")
    reasons: dict[str, int] = Field(description="reason -> how many people gave it")
    reporters: list[ReporterOut]
    updated_at: datetime


class ReportQuery(Schema):
    cursor: str | None = None
    limit: int = Field(settings.ALVEOLE_API_PAGE_SIZE, ge=1, le=200)
    space_id: Id | None = Field(None, description="only the reports of this space")
    state: Literal["open", "settled"] = Field(
        "open", description="open: open reports and hidden items; settled: dismissed and deleted"
    )


class ReportStateOut(Schema):
    id: int
    status: str = Field(description="dismissed, hidden or deleted")


class ReportPage(Schema):
    items: list[ReportOut]
    next_cursor: str | None


class HeldQuery(Schema):
    cursor: str | None = None
    limit: int = Field(settings.ALVEOLE_API_PAGE_SIZE, ge=1, le=200)
    kind: Literal["post", "comment"] = Field("post", description="posts or comments")
    state: Literal["held", "refused"] = Field("held", description="waiting for validation, or refused")
    space_id: Id | None = Field(None, description="only this space's")


class HeldOut(Schema):
    kind: str = Field(description="post or comment")
    id: int
    post_id: int
    comment_id: int | None
    space: SpaceRefOut | None
    author: AuthorOut
    body: str
    body_html: str
    created_at: datetime = Field(description="when it was written: approval keeps this time")
    review: str = Field(description="held or refused")
    refusal_reason: str


class HeldPage(Schema):
    items: list[HeldOut]
    next_cursor: str | None


class RefuseIn(Schema):
    reason: str = Field(description="why: its author reads this (at most 1000 characters)")


class ReviewStateOut(Schema):
    post_id: int
    comment_id: int | None
    review: str = Field(description="published or refused")


class SpaceModerationOut(Schema):
    space_id: int
    posters: str = Field(description="who may post: everyone or managers")
    commenters: str = Field(description="who may comment: everyone or managers")
    hold_posts: str = Field(description="whose posts wait for validation: nobody, guests, newcomers or everyone")
    hold_comments: str = Field(description="whose comments wait for validation: nobody, guests, newcomers or everyone")
    newcomer_days: int = Field(description="members who joined less than this many days ago are newcomers")


class SpaceModerationIn(Schema):
    posters: str | None = Field(None, max_length=10)
    commenters: str | None = Field(None, max_length=10)
    hold_posts: str | None = Field(None, max_length=10)
    hold_comments: str | None = Field(None, max_length=10)
