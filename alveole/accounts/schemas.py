from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field


class PersonOut(Schema):
    id: int
    full_name: str
    handle: str
    email: str
    role: str
    title: str
    is_active: bool


class MeOut(PersonOut):
    language: str
    time_zone: str
    organisation_id: int
    organisation_name: str

    @staticmethod
    def resolve_organisation_name(obj: object) -> str:
        return obj.organisation.name  # type: ignore[attr-defined]


class ProfileIn(Schema):
    full_name: str | None = Field(None, max_length=150)
    title: str | None = Field(None, max_length=150)
    language: str | None = Field(None, description="'en', 'fr', or '' to follow the browser")
    time_zone: str | None = Field(None, description="An IANA time zone, such as Europe/Paris")


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(Schema):
    token: TokenOut
    secret: str = Field(description="Shown once: store it now, it cannot be read again.")


class TokenIn(Schema):
    name: str = Field(max_length=100)
