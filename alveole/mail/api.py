"""A space's email settings: whether emails carry post text, and its posting address (managers change them)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from alveole.accounts.access import viewer_of
from alveole.accounts.models import User
from alveole.core.bounds import Id
from alveole.spaces.access import can_manage, get_space_for, membership_of
from alveole.spaces.models import Space

from . import actions
from .access import mail_settings_of
from .addresses import inbound_enabled, space_address
from .models import SpaceMailSettings
from .schemas import SpaceEmailOut, SpaceEmailPatch

router = Router(tags=["email"])


def _out(viewer: User, space: Space, row: SpaceMailSettings | None = None) -> dict:
    row = row or mail_settings_of(space)
    is_member = membership_of(viewer, space) is not None
    show = row.address_key and is_member and inbound_enabled()
    return {
        "include_content": row.include_content,
        "address_enabled": row.address_enabled,
        "address": space_address(row.address_key or "") if show else None,
        "receiving": inbound_enabled(),
        "can_manage": can_manage(viewer, space),
    }


@router.get("/spaces/{space_id}/email", response=SpaceEmailOut, summary="A space's email settings")
def get_space_email(request: HttpRequest, space_id: Id) -> dict:
    viewer = viewer_of(request)
    return _out(viewer, get_space_for(viewer, space_id))


@router.patch("/spaces/{space_id}/email", response=SpaceEmailOut, summary="Change a space's email settings (managers)")
def update_space_email(request: HttpRequest, space_id: Id, payload: SpaceEmailPatch) -> dict:
    viewer = viewer_of(request)
    space = get_space_for(viewer, space_id)
    row = actions.set_email_content(viewer, space=space, include_content=payload.include_content)
    return _out(viewer, space, row)


@router.post(
    "/spaces/{space_id}/email-address",
    response=SpaceEmailOut,
    summary="Turn on the space's email address, or replace it (managers; the old address stops working)",
)
def enable_space_email_address(request: HttpRequest, space_id: Id) -> dict:
    viewer = viewer_of(request)
    space = get_space_for(viewer, space_id)
    return _out(viewer, space, actions.enable_space_address(viewer, space=space))


@router.delete("/spaces/{space_id}/email-address", response={204: None}, summary="Turn off the space's email address")
def disable_space_email_address(request: HttpRequest, space_id: Id) -> Status:
    viewer = viewer_of(request)
    actions.disable_space_address(viewer, space=get_space_for(viewer, space_id))
    return Status(204, None)
