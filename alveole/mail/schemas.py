from __future__ import annotations

from ninja import Schema
from pydantic import Field


class SpaceEmailOut(Schema):
    include_content: bool = Field(description="Emails about this space's posts carry their text (else a link only)")
    address_enabled: bool = Field(description="The space has an address people can post to by email")
    address: str | None = Field(
        None,
        description="space+…@ address (members only; null when off, or while the server receives no email)",
    )
    receiving: bool = Field(description="This Alvéole receives email (ALVEOLE_MAIL_DOMAIN is set)")
    can_manage: bool


class SpaceEmailPatch(Schema):
    include_content: bool
