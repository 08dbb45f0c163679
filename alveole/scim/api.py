"""Provisioning tokens over the REST API (owners only). The SCIM protocol itself is at /scim/v2."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Status

from alveole.accounts.access import viewer_of

from . import actions
from .access import get_scim_token_for, scim_tokens_of
from .schemas import ScimTokenCreatedOut, ScimTokenIn, ScimTokenOut

router = Router(tags=["provisioning"])


def scim_base_url() -> str:
    return settings.ALVEOLE_BASE_URL.rstrip("/") + "/scim/v2"


@router.get("/scim-tokens", response=list[ScimTokenOut], summary="The organisation's provisioning (SCIM) tokens")
def list_scim_tokens(request: HttpRequest) -> object:
    return list(scim_tokens_of(viewer_of(request)))


@router.post("/scim-tokens", response={201: ScimTokenCreatedOut}, summary="Create a provisioning (SCIM) token")
def create_scim_token(request: HttpRequest, payload: ScimTokenIn) -> Status:
    token, secret = actions.create_scim_token(viewer_of(request), name=payload.name)
    return Status(201, {"token": token, "secret": secret, "base_url": scim_base_url()})


@router.delete("/scim-tokens/{token_id}", response={204: None}, summary="Revoke a provisioning (SCIM) token")
def revoke_scim_token(request: HttpRequest, token_id: int) -> Status:
    viewer = viewer_of(request)
    actions.revoke_scim_token(viewer, token=get_scim_token_for(viewer, token_id))
    return Status(204, None)
