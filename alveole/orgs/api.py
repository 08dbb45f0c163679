from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from alveole.accounts.access import viewer_of
from alveole.accounts.schemas import PersonOut
from alveole.api.pagination import PageQuery, cursor_page
from alveole.core.bounds import Id, UserDate
from alveole.core.errors import NotFound
from alveole.spaces.access import get_space_for, visible_spaces
from alveole.spaces.people import get_person_for

from . import actions
from .access import get_invitation_for, invitations_for, shown_invitation_link
from .schemas import (
    AuditPage,
    GuestInvitationIn,
    InvitationCreatedOut,
    InvitationIn,
    InvitationOut,
    OrganisationIn,
    OrganisationOut,
    PersonPage,
    RoleIn,
)
from .selectors import audit_events_for, filter_audit, search_people

router = Router(tags=["organisation"])


class PeopleFilter(Schema):
    q: str = Field("", max_length=100, description="Search in names, emails and titles")
    role: str = Field("", description="Only this role")
    include_inactive: bool = Field(False, description="Admins only: include deactivated people")
    cursor: str | None = None
    limit: int = Field(settings.ALVEOLE_API_PAGE_SIZE, ge=1, le=200)


@router.get("/organisation", response=OrganisationOut, summary="My organisation")
def get_organisation(request: HttpRequest) -> object:
    return viewer_of(request).organisation


@router.patch("/organisation", response=OrganisationOut, summary="Update the organisation (admins)")
def update_organisation(request: HttpRequest, payload: OrganisationIn) -> object:
    return actions.update_organisation(viewer_of(request), **payload.dict(exclude_unset=True))


@router.get("/members", response=PersonPage, summary="People I can see")
def list_members(request: HttpRequest, filters: Query[PeopleFilter]) -> dict:
    viewer = viewer_of(request)
    qs = search_people(viewer, query=filters.q, role=filters.role, include_inactive=filters.include_inactive)
    return cursor_page(filters, qs, order=("full_name", "id"))


@router.get("/members/{user_id}", response=PersonOut, summary="One person")
def get_member(request: HttpRequest, user_id: Id) -> object:
    return get_person_for(viewer_of(request), user_id, include_inactive=True)


@router.patch("/members/{user_id}", response=PersonOut, summary="Change someone's role (admins)")
def change_role(request: HttpRequest, user_id: Id, payload: RoleIn) -> object:
    viewer = viewer_of(request)
    member = get_person_for(viewer, user_id, include_inactive=True)
    return actions.change_role(viewer, member=member, role=payload.role)


@router.post("/members/{user_id}/deactivate", response=PersonOut, summary="Deactivate someone (admins)")
def deactivate(request: HttpRequest, user_id: Id) -> object:
    viewer = viewer_of(request)
    return actions.deactivate_member(viewer, member=get_person_for(viewer, user_id, include_inactive=True))


@router.post("/members/{user_id}/reactivate", response=PersonOut, summary="Reactivate someone (admins)")
def reactivate(request: HttpRequest, user_id: Id) -> object:
    viewer = viewer_of(request)
    return actions.reactivate_member(viewer, member=get_person_for(viewer, user_id, include_inactive=True))


@router.get("/invitations", response=list[InvitationOut], summary="Invitations (admins)")
def list_invitations(request: HttpRequest) -> object:
    return list(invitations_for(viewer_of(request)).prefetch_related("spaces")[:500])


@router.post("/invitations", response={201: InvitationCreatedOut}, summary="Invite someone by email (admins)")
def create_invitation(request: HttpRequest, payload: InvitationIn) -> Status:
    viewer = viewer_of(request)
    spaces = list(visible_spaces(viewer).filter(pk__in=payload.space_ids))
    if len(spaces) != len(set(payload.space_ids)):
        raise NotFound(_("One of the spaces does not exist or you do not have access to it."))
    invitation, link = actions.invite_member(viewer, email=payload.email, role=payload.role, spaces=spaces)
    return Status(201, {"invitation": invitation, "link": link})


@router.post(
    "/spaces/{space_id}/guest-invitations",
    response={201: InvitationCreatedOut},
    summary="Invite someone from outside into a space as its guest (as the organisation's guest policy allows)",
)
def create_guest_invitation(request: HttpRequest, space_id: Id, payload: GuestInvitationIn) -> Status:
    viewer = viewer_of(request)
    invitation, link = actions.invite_guest(viewer, email=payload.email, space=get_space_for(viewer, space_id))
    return Status(201, {"invitation": invitation, "link": shown_invitation_link(viewer, link)})


@router.post(
    "/invitations/{invitation_id}/resend",
    response=InvitationCreatedOut,
    summary="Send a pending or expired invitation again, with a new link (admins)",
)
def resend_invitation(request: HttpRequest, invitation_id: Id) -> dict:
    viewer = viewer_of(request)
    invitation, link = actions.resend_invitation(viewer, invitation=get_invitation_for(viewer, invitation_id))
    return {"invitation": invitation, "link": link}


@router.delete("/invitations/{invitation_id}", response={204: None}, summary="Revoke an invitation (admins)")
def revoke_invitation(request: HttpRequest, invitation_id: Id) -> Status:
    viewer = viewer_of(request)
    actions.revoke_invitation(viewer, invitation=get_invitation_for(viewer, invitation_id))
    return Status(204, None)


class AuditFilter(PageQuery):
    person: Id | None = Field(None, description="Only what this person did")
    action: str = Field("", max_length=64, pattern=r"^[a-z0-9_.]*$", description="Only this action, e.g. member.role")
    space: Id | None = Field(None, description="Only rows about this space")
    since: UserDate | None = Field(None, description="From this day (inclusive)")
    until: UserDate | None = Field(None, description="Until this day (inclusive)")


@router.get("/audit", response=AuditPage, summary="The audit log (admins), newest first")
def list_audit(request: HttpRequest, filters: Query[AuditFilter]) -> dict:
    rows = filter_audit(
        audit_events_for(viewer_of(request)),
        person=filters.person,
        action=filters.action,
        space=filters.space,
        since=filters.since,
        until=filters.until,
    )
    return cursor_page(filters, rows, order=("-id",))
