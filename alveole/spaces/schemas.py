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
    label_id: int | None = Field(None, description="its confidentiality label; null: the organisation's lowest")
    confidential: bool = Field(False, description="its label is confidential: no guests, no content in emails")
    created_at: datetime

    @staticmethod
    def resolve_confidential(obj: object) -> bool:
        label = obj.label if obj.label_id is not None else None  # type: ignore[attr-defined]
        return label is not None and label.restricted

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
    label_id: Id | None = Field(None, description="a confidentiality label (GET /labels); default: the lowest")


class SpacePatch(Schema):
    name: str | None = Field(None, max_length=80)
    description: str | None = Field(None, max_length=2000)
    kind: str | None = None
    visibility: str | None = None
    label_id: Id | None = Field(None, description="another confidentiality label (refused while guests are members)")


class SpaceMemberOut(Schema):
    user: PersonOut
    role: str
    joined_at: datetime


class SpaceMemberIn(Schema):
    user_id: Id
    role: str = Field("member", description="manager or member")


class SpaceMemberPatch(Schema):
    role: str = Field(description="manager or member")


class LabelOut(Schema):
    id: int
    name: str
    rank: int = Field(description="higher is more confidential; a post may raise its space's label, never lower it")
    confidential: bool = Field(description="never reaches guests, email bodies or calendar feeds; owners export it")

    @staticmethod
    def resolve_confidential(obj: object) -> bool:
        return bool(obj.restricted)  # type: ignore[attr-defined]


class LabelIn(Schema):
    name: str = Field(max_length=40)
    confidential: bool = False


class LabelPatch(Schema):
    name: str | None = Field(None, max_length=40)
    confidential: bool | None = None
