from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field

from alveole.accounts.schemas import PersonOut
from alveole.core.bounds import Id


class SpaceOut(Schema):
    id: int
    name: str
    description: str
    kind: str
    visibility: str
    archived: bool
    member_count: int
    my_role: str | None = Field(None, description="manager, member, or null when not a member")
    created_at: datetime

    @staticmethod
    def resolve_archived(obj: object) -> bool:
        return obj.archived_at is not None  # type: ignore[attr-defined]


class SpacePage(Schema):
    items: list[SpaceOut]
    next_cursor: str | None


class SpaceIn(Schema):
    name: str = Field(max_length=80)
    description: str = Field("", max_length=2000)
    kind: str = Field("team", description="team or project")
    visibility: str = Field("open", description="open or private")


class SpacePatch(Schema):
    name: str | None = Field(None, max_length=80)
    description: str | None = Field(None, max_length=2000)
    kind: str | None = None
    visibility: str | None = None


class SpaceMemberOut(Schema):
    user: PersonOut
    role: str
    joined_at: datetime


class SpaceMemberIn(Schema):
    user_id: Id
    role: str = Field("member", description="manager or member")


class SpaceMemberPatch(Schema):
    role: str = Field(description="manager or member")
