from __future__ import annotations

from datetime import datetime

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
    status: str = Field(description="open, or hidden (the item is hidden and may be shown again)")
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
    space_id: Id | None = Field(None, description="only the reports of this space")


class ReportStateOut(Schema):
    id: int
    status: str = Field(description="dismissed, hidden or deleted")
