from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field

from alveole.accounts.schemas import PersonOut
from alveole.core.bounds import Id


class OrganisationOut(Schema):
    id: int
    name: str
    require_mfa_for_admins: bool
    space_creators: str = Field(description="Who may create spaces: members (everyone but guests), managers or admins")
    guest_adders: str = Field(description="Who may add guests to spaces: admins, managers or members")
    guests_may_post: bool = Field(description="Whether guests may start posts (they may always comment)")
    upload_families: list[str] = Field(description="File kinds people may share: images, pdf, office, text, archives")
    upload_max_mb: int = Field(description="Largest file in MB; 0 means the server's limit")
    edit_window_minutes: int = Field(description="Minutes authors may edit or delete; 0 means always")
    confidential_space_creators: str = Field(
        description="Who may give a space a confidential label (or lift it): members, managers or admins"
    )
    confidential_downloads: bool = Field(description="Whether files of confidential content may be downloaded at all")
    export_includes_conversations: bool = Field(
        description="Whether the owners' export of everything holds direct messages (owners change it; audited)"
    )
    created_at: datetime


class OrganisationIn(Schema):
    name: str | None = Field(None, max_length=120)
    require_mfa_for_admins: bool | None = None
    space_creators: str | None = Field(None, max_length=10)
    guest_adders: str | None = Field(None, max_length=10)
    guests_may_post: bool | None = None
    upload_families: list[str] | None = Field(None, max_length=10)
    upload_max_mb: int | None = Field(None, ge=0, le=1_000_000)
    edit_window_minutes: int | None = Field(None, ge=0, le=1_000_000)
    confidential_space_creators: str | None = Field(None, max_length=10)
    confidential_downloads: bool | None = None
    export_includes_conversations: bool | None = None


class PersonPage(Schema):
    items: list[PersonOut]
    next_cursor: str | None


class RoleIn(Schema):
    role: str = Field(description="owner, admin, member or guest")


class InvitationIn(Schema):
    email: str = Field(max_length=254)
    role: str = Field("member", description="owner, admin, member or guest")
    space_ids: list[Id] = Field(default_factory=list, description="Spaces to join on acceptance; required for guests")


class GuestInvitationIn(Schema):
    email: str = Field(max_length=254, description="Who to invite; they join this one space as a guest")


class InvitationOut(Schema):
    id: int
    email: str
    role: str
    status: str
    space_ids: list[int]
    created_at: datetime
    expires_at: datetime

    @staticmethod
    def resolve_space_ids(obj: object) -> list[int]:
        return [s.pk for s in obj.spaces.all()]  # type: ignore[attr-defined]


class InvitationCreatedOut(Schema):
    invitation: InvitationOut
    link: str = Field(
        description="The invitation link, also emailed; shown once, to admins only (empty for anyone else: "
        "only the email carries it)."
    )


class AuditEventOut(Schema):
    id: int
    action: str
    actor_id: int | None
    target_type: str
    target_id: int | None
    target_label: str
    ip: str | None
    data: dict
    created_at: datetime


class AuditPage(Schema):
    items: list[AuditEventOut]
    next_cursor: str | None
