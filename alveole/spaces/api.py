from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from alveole.accounts.access import viewer_of
from alveole.accounts.models import User
from alveole.api.pagination import cursor_page
from alveole.core.bounds import Id

from . import actions, labels
from .access import get_space_for
from .models import Label, Space
from .people import get_person_for
from .schemas import (
    LabelIn,
    LabelOut,
    LabelPatch,
    SpaceIn,
    SpaceMemberIn,
    SpaceMemberOut,
    SpaceMemberPatch,
    SpaceOut,
    SpacePage,
    SpacePatch,
)
from .selectors import members_of, spaces_for

router = Router(tags=["spaces"])


class SpaceFilter(Schema):
    q: str = Field("", max_length=100, description="Search in names and descriptions")
    mine: bool = Field(False, description="Only spaces I am a member of")
    archived: bool | None = Field(None, description="Only archived (true) or active (false) spaces")
    cursor: str | None = None
    limit: int = Field(settings.ALVEOLE_API_PAGE_SIZE, ge=1, le=200)


def _space_out(viewer: User, space_id: Id) -> Space:
    return spaces_for(viewer).get(pk=space_id)


@router.get("/spaces", response=SpacePage, summary="Spaces I can see")
def list_spaces(request: HttpRequest, filters: Query[SpaceFilter]) -> dict:
    qs = spaces_for(viewer_of(request), query=filters.q, mine=filters.mine, archived=filters.archived)
    return cursor_page(filters, qs, order=("name", "id"))


@router.post("/spaces", response={201: SpaceOut}, summary="Create a space")
def create_space(request: HttpRequest, payload: SpaceIn) -> Status:
    viewer = viewer_of(request)
    values = payload.dict()
    label_id = values.pop("label_id", None)
    label = labels.get_label_for(viewer, label_id) if label_id is not None else None
    space = actions.create_space(viewer, label=label, **values)
    return Status(201, _space_out(viewer, space.pk))


@router.get("/spaces/{space_id}", response=SpaceOut, summary="One space")
def get_space(request: HttpRequest, space_id: Id) -> object:
    viewer = viewer_of(request)
    return _space_out(viewer, get_space_for(viewer, space_id).pk)


@router.patch("/spaces/{space_id}", response=SpaceOut, summary="Edit a space (managers)")
def update_space(request: HttpRequest, space_id: Id, payload: SpacePatch) -> object:
    viewer = viewer_of(request)
    space = get_space_for(viewer, space_id)
    values = payload.dict(exclude_unset=True)
    label_id = values.pop("label_id", None)
    label = labels.get_label_for(viewer, label_id) if label_id is not None else None
    space = actions.update_space(viewer, space=space, label=label, **values)
    return _space_out(viewer, space.pk)


@router.post("/spaces/{space_id}/archive", response=SpaceOut, summary="Archive a space: read-only (managers)")
def archive_space(request: HttpRequest, space_id: Id) -> object:
    viewer = viewer_of(request)
    actions.archive_space(viewer, space=get_space_for(viewer, space_id))
    return _space_out(viewer, space_id)


@router.post("/spaces/{space_id}/unarchive", response=SpaceOut, summary="Restore an archived space (managers)")
def unarchive_space(request: HttpRequest, space_id: Id) -> object:
    viewer = viewer_of(request)
    actions.unarchive_space(viewer, space=get_space_for(viewer, space_id))
    return _space_out(viewer, space_id)


@router.post("/spaces/{space_id}/join", response=SpaceOut, summary="Join an open space")
def join_space(request: HttpRequest, space_id: Id) -> object:
    viewer = viewer_of(request)
    actions.join_space(viewer, space=get_space_for(viewer, space_id))
    return _space_out(viewer, space_id)


@router.post("/spaces/{space_id}/leave", response={204: None}, summary="Leave a space")
def leave_space(request: HttpRequest, space_id: Id) -> Status:
    viewer = viewer_of(request)
    actions.leave_space(viewer, space=get_space_for(viewer, space_id))
    return Status(204, None)


@router.get("/spaces/{space_id}/members", response=list[SpaceMemberOut], summary="Members of a space")
def list_space_members(request: HttpRequest, space_id: Id) -> object:
    space = get_space_for(viewer_of(request), space_id)
    return list(members_of(space))


@router.post("/spaces/{space_id}/members", response={201: SpaceMemberOut}, summary="Add a member (managers)")
def add_space_member(request: HttpRequest, space_id: Id, payload: SpaceMemberIn) -> Status:
    viewer = viewer_of(request)
    space = get_space_for(viewer, space_id)
    person = get_person_for(viewer, payload.user_id)
    return Status(201, actions.add_space_member(viewer, space=space, user=person, role=payload.role))


@router.patch(
    "/spaces/{space_id}/members/{user_id}", response=SpaceMemberOut, summary="Change a member's role (managers)"
)
def set_space_member_role(request: HttpRequest, space_id: Id, user_id: Id, payload: SpaceMemberPatch) -> object:
    viewer = viewer_of(request)
    space = get_space_for(viewer, space_id)
    person = get_person_for(viewer, user_id)
    return actions.set_space_member_role(viewer, space=space, user=person, role=payload.role)


@router.delete("/spaces/{space_id}/members/{user_id}", response={204: None}, summary="Remove a member (managers)")
def remove_space_member(request: HttpRequest, space_id: Id, user_id: Id) -> Status:
    viewer = viewer_of(request)
    space = get_space_for(viewer, space_id)
    person = get_person_for(viewer, user_id, include_inactive=True)
    actions.remove_space_member(viewer, space=space, user=person)
    return Status(204, None)


# --- confidentiality labels (owners define them; everyone in the organisation reads them) -----------


@router.get("/labels", response=list[LabelOut], summary="The organisation's confidentiality labels, lowest first")
def list_labels(request: HttpRequest) -> list[Label]:
    return labels.labels_of(viewer_of(request).org_id)


@router.post("/labels", response={201: LabelOut}, summary="Add a confidentiality label (owners)")
def create_label(request: HttpRequest, payload: LabelIn) -> Status:
    label = actions.create_label(viewer_of(request), name=payload.name, restricted=payload.confidential)
    return Status(201, label)


@router.patch("/labels/{label_id}", response=LabelOut, summary="Rename a label or make it confidential (owners)")
def update_label(request: HttpRequest, label_id: Id, payload: LabelPatch) -> Label:
    viewer = viewer_of(request)
    label = labels.get_label_for(viewer, label_id)
    return actions.update_label(viewer, label=label, name=payload.name, restricted=payload.confidential)
