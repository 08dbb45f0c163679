"""/api/v1/sso/providers: the organisation's identity provider, for its owners. The client secret is write-only."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from alveole.accounts.access import viewer_of
from alveole.accounts.models import User
from alveole.core.bounds import Id
from alveole.core.errors import Conflict, NotFound, PermissionDenied

from . import actions
from .forms import initial_of
from .models import IdentityProvider
from .schemas import ProviderIn, ProviderOut
from .selectors import provider_of
from .urls_of import provider_urls

router = Router(tags=["single sign-on"])


def _owner(request: HttpRequest) -> User:
    viewer = viewer_of(request)
    if not viewer.is_owner:
        raise PermissionDenied(_("Only the organisation's owners can set up single sign-on."))
    return viewer


def _get_for(viewer: User, provider_id: int) -> IdentityProvider:
    idp = provider_of(viewer)
    if idp is None or idp.pk != provider_id:
        raise NotFound()
    return idp


def _out(request: HttpRequest, idp: IdentityProvider) -> dict[str, Any]:
    initial = initial_of(idp)
    return {
        "id": idp.pk,
        "protocol": idp.protocol,
        "display_name": idp.display_name,
        "allowed_domains": idp.allowed_domains,
        "create_on_first_sign_in": idp.create_on_first_sign_in,
        "role_claim": idp.role_claim,
        "role_map": idp.role_map,
        "default_role": idp.default_role,
        "password_login_disabled": idp.password_login_disabled,
        "issuer": initial.get("issuer", ""),
        "client_id": initial.get("client_id", ""),
        "has_client_secret": bool(idp.social_app.secret),
        "extra_scopes": initial.get("extra_scopes", "").split(),
        "idp_entity_id": initial.get("idp_entity_id", ""),
        "idp_sso_url": initial.get("idp_sso_url", ""),
        "idp_certificate": initial.get("idp_certificate", ""),
        "urls": provider_urls(request, idp),
    }


def _settings(payload: ProviderIn) -> actions.ProviderSettings:
    return actions.ProviderSettings(**payload.dict())


@router.get("/sso/providers", response=list[ProviderOut], summary="The organisation's identity provider (owners)")
def list_providers(request: HttpRequest) -> list[dict[str, Any]]:
    idp = provider_of(_owner(request))
    return [_out(request, idp)] if idp is not None else []


@router.post(
    "/sso/providers", response={201: ProviderOut}, summary="Set up single sign-on (owners; one per organisation)"
)
def create_provider(request: HttpRequest, payload: ProviderIn) -> Status:
    viewer = _owner(request)
    if provider_of(viewer) is not None:
        raise Conflict(_("Your organisation already has an identity provider: change it or remove it first."))
    return Status(201, _out(request, actions.configure_provider(viewer, data=_settings(payload))))


@router.get("/sso/providers/{provider_id}", response=ProviderOut, summary="One identity provider (owners)")
def get_provider(request: HttpRequest, provider_id: Id) -> dict[str, Any]:
    return _out(request, _get_for(_owner(request), provider_id))


@router.put("/sso/providers/{provider_id}", response=ProviderOut, summary="Change the identity provider (owners)")
def update_provider(request: HttpRequest, provider_id: Id, payload: ProviderIn) -> dict[str, Any]:
    viewer = _owner(request)
    _get_for(viewer, provider_id)
    return _out(request, actions.configure_provider(viewer, data=_settings(payload)))


@router.delete("/sso/providers/{provider_id}", response={204: None}, summary="Remove single sign-on (owners)")
def delete_provider(request: HttpRequest, provider_id: Id) -> Status:
    viewer = _owner(request)
    _get_for(viewer, provider_id)
    actions.remove_provider(viewer)
    return Status(204, None)
