from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema


class ScimTokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="The secret's first characters, to recognise it.")
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ScimTokenCreatedOut(Schema):
    token: ScimTokenOut
    secret: str = Field(description="Shown once: paste it into the identity provider now, it cannot be read again.")
    base_url: str = Field(description="The SCIM base URL (tenant URL) to give the identity provider.")


class ScimTokenIn(Schema):
    name: str = Field(max_length=100, description="Where it is used, such as 'Entra ID'.")
