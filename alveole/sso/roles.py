"""From what the provider says to an Alvéole role: the claims or attributes of one sign-in, and the role map."""

from __future__ import annotations

from typing import Any

from alveole.accounts.models import Role

from .models import IdentityProvider, Protocol

RANK = {Role.GUEST: 0, Role.MEMBER: 1, Role.ADMIN: 2, Role.OWNER: 3}


def claims_of(idp: IdentityProvider, extra_data: dict[str, Any]) -> dict[str, Any]:
    """One dict of the sign-in's claims. OIDC: the userinfo wins, but the id_token's are kept (Entra ID puts `roles`
    and `groups` only in the id_token). SAML: attribute name → list of values."""
    if idp.protocol == Protocol.OIDC:
        id_token = extra_data.get("id_token") or {}
        userinfo = extra_data.get("userinfo") or {}
        return {**id_token, **userinfo}
    return dict(extra_data)


def role_from(idp: IdentityProvider, claims: dict[str, Any]) -> str | None:
    """The role the claims give, or None when the provider sends no role claim (then an existing account keeps its
    role and a new one gets the default). Several values: the highest mapped one. A value the map does not know gives
    the default role; owner only ever comes from an explicit line of the map."""
    if not idp.role_claim or idp.role_claim not in claims:
        return None
    raw = claims[idp.role_claim]
    values = raw if isinstance(raw, list) else [raw]
    mapped = [idp.role_map[str(v)] for v in values if str(v) in idp.role_map and idp.role_map[str(v)] in RANK]
    if not mapped:
        return idp.default_role if idp.default_role != Role.OWNER else Role.MEMBER
    return max(mapped, key=lambda role: RANK[role])
