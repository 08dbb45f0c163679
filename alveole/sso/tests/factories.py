from __future__ import annotations

import secrets

from allauth.socialaccount.models import SocialApp

from alveole.orgs.models import Organisation
from alveole.sso.models import IdentityProvider


def make_provider(organisation: Organisation, *, password_login_disabled: bool = False) -> IdentityProvider:
    """An OpenID Connect provider row, without the discovery check of the action (no provider has to run)."""
    slug = "o" + secrets.token_hex(8)
    app = SocialApp.objects.create(
        provider="openid_connect",
        provider_id=slug,
        name="Acme",
        client_id="alveole",
        secret="alveole-secret",
        settings={"server_url": "https://idp.example.com", "scope": ["openid", "email", "profile"]},
    )
    return IdentityProvider.objects.create(
        organisation=organisation,
        social_app=app,
        protocol="oidc",
        display_name="Acme",
        allowed_domains=["acme.test"],
        password_login_disabled=password_login_disabled,
    )
