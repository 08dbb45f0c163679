"""Every change to an organisation's identity provider (owners only, audited)."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from allauth.socialaccount.models import SocialAccount, SocialApp
from cryptography import x509
from django.db import transaction
from django.utils.translation import gettext as _

from alveole.accounts.models import Role, User
from alveole.core import audit
from alveole.core.errors import Invalid, NotFound, PermissionDenied

from .issuers import check_public_url, discover
from .models import IdentityProvider, Protocol

DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
SCOPE = re.compile(r"^[\x21\x23-\x5b\x5d-\x7e]{1,100}$")  # RFC 6749 §3.3 scope-token
# Where SAML IdPs put names: the standard OIDs first (pysaml2, Keycloak), then Microsoft's claim URIs (Entra ID).
SAML_ATTRIBUTES = {
    "email": [
        "urn:oid:0.9.2342.19200300.100.1.3",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
        "email",
        "mail",
    ],
    "first_name": ["urn:oid:2.5.4.42", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname", "firstName"],
    "last_name": ["urn:oid:2.5.4.4", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname", "lastName"],
}


@dataclass
class ProviderSettings:
    """What an owner fills in; the protocol's own part is checked by `_oidc_app` or `_saml_app`."""

    protocol: str
    display_name: str
    allowed_domains: list[str]
    create_on_first_sign_in: bool = True
    role_claim: str = ""
    role_map: dict[str, str] = field(default_factory=dict)
    default_role: str = Role.MEMBER
    password_login_disabled: bool = False
    # OpenID Connect
    issuer: str = ""
    client_id: str = ""
    client_secret: str = ""  # empty on an update keeps the stored one
    extra_scopes: list[str] = field(default_factory=list)
    # SAML 2.0
    idp_entity_id: str = ""
    idp_sso_url: str = ""
    idp_certificate: str = ""


def _require_owner(actor: User) -> None:
    if not actor.is_owner:
        raise PermissionDenied(_("Only the organisation's owners can set up single sign-on."))


def clean_domains(values: list[str]) -> list[str]:
    domains = []
    for value in values:
        domain = value.strip().lower().lstrip("@")
        if not domain:
            continue
        if not DOMAIN.match(domain):
            raise Invalid(
                fields={"allowed_domains": _("“%(domain)s” is not a domain name.") % {"domain": domain[:100]}}
            )
        if domain not in domains:
            domains.append(domain)
    if not domains:
        raise Invalid(fields={"allowed_domains": _("Enter at least one email domain, such as example.com.")})
    return domains


def clean_roles(role_map: dict[str, str], default_role: str) -> dict[str, str]:
    if default_role not in Role.values or default_role == Role.OWNER:
        # Owner only ever comes from an explicit line of the map.
        raise Invalid(fields={"default_role": _("Choose admin, member or guest.")})
    cleaned = {}
    for key, role in role_map.items():
        key = str(key).strip()
        if not key or len(key) > 200:
            raise Invalid(fields={"role_map": _("Each line of the role map needs a value of at most 200 characters.")})
        if role not in Role.values:
            raise Invalid(fields={"role_map": _("Map each value to owner, admin, member or guest.")})
        cleaned[key] = role
    return cleaned


def clean_certificate(text: str) -> str:
    """The base64 body of a PEM certificate (what python3-saml wants), or Invalid."""
    body = "".join(line.strip() for line in (text or "").splitlines() if line.strip() and "-----" not in line)
    pem = "-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----\n"
    try:
        x509.load_pem_x509_certificate(pem.encode())
    except ValueError:
        raise Invalid(
            fields={"idp_certificate": _("Paste the identity provider's signing certificate (PEM).")}
        ) from None
    return body


def _oidc_settings(data: ProviderSettings, app: SocialApp | None) -> dict[str, Any]:
    if not data.client_id.strip():
        raise Invalid(fields={"client_id": _("Copy the client id from your identity provider.")})
    if app is None and not data.client_secret:
        raise Invalid(fields={"client_secret": _("Copy the client secret from your identity provider.")})
    for scope in data.extra_scopes:
        if not SCOPE.match(scope):
            raise Invalid(fields={"extra_scopes": _("A scope is one word without spaces or quotes.")})
    config = discover(data.issuer)
    return {
        "server_url": str(config["issuer"]),
        "oauth_pkce_enabled": True,
        "fetch_userinfo": True,
        "scope": [
            "openid",
            "email",
            "profile",
            *[s for s in data.extra_scopes if s not in ("openid", "email", "profile")],
        ],
    }


def _saml_settings(data: ProviderSettings, slug: str) -> dict[str, Any]:
    if not data.idp_entity_id.strip() or len(data.idp_entity_id) > 500:
        raise Invalid(fields={"idp_entity_id": _("Copy the identity provider's entity id (issuer).")})
    attribute_mapping: dict[str, list[str]] = {key: list(names) for key, names in SAML_ATTRIBUTES.items()}
    return {
        "idp": {
            "entity_id": data.idp_entity_id.strip(),
            "sso_url": check_public_url(data.idp_sso_url, "idp_sso_url"),
            "x509cert": clean_certificate(data.idp_certificate),
        },
        "attribute_mapping": attribute_mapping,
        # Never relaxed by configuration: signed assertions, strict checks, no unsolicited responses.
        "advanced": {
            "want_assertion_signed": True,
            "strict": True,
            "reject_idp_initiated_sso": True,
            "reject_deprecated_algorithm": True,
            "allow_single_label_domains": False,
        },
    }


def saml_settings_are_safe(app: SocialApp) -> bool:
    advanced = app.settings.get("advanced", {})
    return bool(
        advanced.get("want_assertion_signed") and advanced.get("strict") and advanced.get("reject_idp_initiated_sso")
    )


@transaction.atomic
def configure_provider(actor: User, *, data: ProviderSettings) -> IdentityProvider:
    """Create or update the organisation's identity provider."""
    _require_owner(actor)
    if data.protocol not in Protocol.values:
        raise Invalid(fields={"protocol": _("Choose OpenID Connect or SAML 2.0.")})
    display_name = data.display_name.strip()
    if not display_name or len(display_name) > 80:
        raise Invalid(fields={"display_name": _("Name the provider in 1 to 80 characters, as people know it.")})
    domains = clean_domains(data.allowed_domains)
    role_map = clean_roles(data.role_map, data.default_role)
    role_claim = data.role_claim.strip()
    if len(role_claim) > 200:
        raise Invalid(fields={"role_claim": _("At most 200 characters.")})
    current = IdentityProvider.objects.select_related("social_app").filter(organisation_id=actor.org_id).first()
    if current is not None and current.protocol != data.protocol:
        raise Invalid(fields={"protocol": _("Remove the current provider before switching protocols.")})
    app = current.social_app if current is not None else None
    token = app.provider_id if app is not None else "o" + secrets.token_hex(8)
    if data.protocol == Protocol.OIDC:
        settings = _oidc_settings(data, app)
        provider, client_id, provider_id = "openid_connect", data.client_id.strip(), token
    else:
        settings = _saml_settings(data, token)
        provider, client_id, provider_id = "saml", token, token
    if app is None:
        app = SocialApp(provider=provider, provider_id=provider_id)
    app.name = display_name
    app.client_id = client_id
    if data.protocol == Protocol.OIDC and data.client_secret:
        app.secret = data.client_secret
    app.settings = settings
    app.save()
    values: dict[str, Any] = {
        "display_name": display_name,
        "allowed_domains": domains,
        "create_on_first_sign_in": data.create_on_first_sign_in,
        "role_claim": role_claim,
        "role_map": role_map,
        "default_role": data.default_role,
        "password_login_disabled": data.password_login_disabled,
    }
    if current is None:
        current = IdentityProvider.objects.create(
            organisation_id=actor.org_id, social_app=app, protocol=data.protocol, created_by=actor, **values
        )
        audit.record("sso.create", actor=actor, target=current, label=display_name, protocol=data.protocol, **values)
    else:
        for key, value in values.items():
            setattr(current, key, value)
        current.save()
        audit.record(
            "sso.update",
            actor=actor,
            target=current,
            label=display_name,
            secret_changed=bool(data.client_secret),
            **values,
        )
    return current


@transaction.atomic
def remove_provider(actor: User) -> None:
    """Remove the organisation's provider. Accounts stay; people it made sign in again once invited to a password."""
    _require_owner(actor)
    current = IdentityProvider.objects.select_related("social_app").filter(organisation_id=actor.org_id).first()
    if current is None:
        raise NotFound()
    app = current.social_app
    audit.record("sso.remove", actor=actor, target=current, label=current.display_name)
    current.delete()
    SocialAccount.objects.filter(provider=app.provider_id or app.provider, user__organisation_id=actor.org_id).delete()
    app.delete()
