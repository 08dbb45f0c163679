from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field

from .retention import MAX_DAYS, MIN_DAYS


class ExportIn(Schema):
    password: str


class ExportOut(Schema):
    id: int
    space_id: int | None
    status: str
    progress: int
    size: int
    error: str
    confidential_left_out: int = Field(
        description="Posts with a confidential label left out: only the organisation's owners export them"
    )
    personal: bool = Field(description="An export of the requester's own direct messages")
    conversations: int = Field(
        description="Conversations of direct messages the ZIP holds: a personal export's own, or all of them in "
        "an owners' export of everything when the organisation's policy includes them"
    )
    created_at: datetime
    finished_at: datetime | None
    download_url: str | None


class RetentionIn(Schema):
    days: int | None = Field(
        None, ge=MIN_DAYS, le=MAX_DAYS, description="delete content older than this many days; null: keep for ever"
    )


class LegalHoldIn(Schema):
    on: bool
    reason: str = ""


class RetentionOut(Schema):
    days: int | None
    legal_hold: bool
    legal_hold_reason: str
