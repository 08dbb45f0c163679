"""The owners' configuration of single sign-on, the role map and the guard on issuer addresses."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialApp
from django.test import override_settings

from alveole.accounts.models import Role
from alveole.core.audit import AuditEvent
from alveole.core.errors import Invalid, PermissionDenied
from alveole.factories import UserFactory
from alveole.orgs import actions as org_actions
from alveole.sso import actions
from alveole.sso.issuers import check_public_url
from alveole.sso.models import IdentityProvider
from alveole.sso.roles import role_from
from alveole.sso.selectors import password_login_disabled, providers_for_email

pytestmark = pytest.mark.django_db


def oidc(issuer: str, **changes) -> actions.ProviderSettings:
    values = {
        "protocol": "oidc",
        "display_name": "Acme",
        "allowed_domains": ["acme.test"],
        "issuer": issuer,
        "client_id": "alveole",
        "client_secret": "alveole-secret",
        **changes,
    }
    return actions.ProviderSettings(**values)


@override_settings(ALVEOLE_SSO_ALLOW_INSECURE_ISSUERS=True)
def test_owner_configures_oidc_and_it_is_audited(oidc_idp):
    owner = UserFactory.create(role=Role.OWNER)
    idp = actions.configure_provider(owner, data=oidc(oidc_idp.url, role_map={"boss": "owner"}))
    app = idp.social_app
    assert (app.provider, app.client_id, app.secret) == ("openid_connect", "alveole", "alveole-secret")
    assert app.provider_id.startswith("o") and app.settings["server_url"] == oidc_idp.url
    assert app.settings["oauth_pkce_enabled"] is True
    assert AuditEvent.objects.filter(action="sso.create", organisation=owner.organisation).exists()
    # An update without a secret keeps the stored one.
    actions.configure_provider(owner, data=oidc(oidc_idp.url, client_secret="", display_name="Acme SSO"))
    app.refresh_from_db()
    assert (app.secret, app.name) == ("alveole-secret", "Acme SSO")
    assert [p.pk for p in providers_for_email("ada@ACME.test")] == [idp.pk]
    assert providers_for_email("ada@other.test") == []


@override_settings(ALVEOLE_SSO_ALLOW_INSECURE_ISSUERS=True)
def test_only_owners_configure(oidc_idp):
    admin = UserFactory.create(role=Role.ADMIN)
    with pytest.raises(PermissionDenied):
        actions.configure_provider(admin, data=oidc(oidc_idp.url))
    assert not SocialApp.objects.exists()


@override_settings(ALVEOLE_SSO_ALLOW_INSECURE_ISSUERS=True)
def test_issuer_must_match_discovery(oidc_idp):
    owner = UserFactory.create(role=Role.OWNER)
    with pytest.raises(Invalid) as refused:
        actions.configure_provider(owner, data=oidc(oidc_idp.url + "/other"))
    assert "issuer" in refused.value.fields


@pytest.mark.parametrize(
    "url",
    ["http://idp.example.com", "https://127.0.0.1:8443", "https://10.0.0.5", "https://[::1]/", "https://localhost/"],
)
def test_insecure_or_private_issuers_are_refused(url):
    with pytest.raises(Invalid) as refused:
        check_public_url(url, "issuer")
    assert "issuer" in refused.value.fields


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"allowed_domains": []}, "allowed_domains"),
        ({"allowed_domains": ["not a domain"]}, "allowed_domains"),
        ({"default_role": "owner"}, "default_role"),
        ({"role_map": {"x": "emperor"}}, "role_map"),
        ({"protocol": "ldap"}, "protocol"),
    ],
)
def test_bad_settings_are_refused_with_a_field(changes, field):
    owner = UserFactory.create(role=Role.OWNER)
    with pytest.raises(Invalid) as refused:
        actions.configure_provider(owner, data=oidc("https://idp.example.com", **changes))
    assert field in refused.value.fields


def provider(**values) -> IdentityProvider:
    defaults = {"role_claim": "groups", "role_map": {"admins": "admin", "bosses": "owner"}, "default_role": "member"}
    return IdentityProvider(protocol="oidc", **{**defaults, **values})


def test_role_map():
    idp = provider()
    assert role_from(idp, {}) is None  # no claim: an existing account keeps its role
    assert role_from(idp, {"groups": "admins"}) == "admin"
    assert role_from(idp, {"groups": ["staff", "admins"]}) == "admin"  # the highest mapped value
    assert role_from(idp, {"groups": ["staff"]}) == "member"  # unmapped: the default, never owner
    assert role_from(idp, {"groups": ["bosses", "admins"]}) == "owner"  # owner only when mapped explicitly
    assert role_from(provider(role_claim=""), {"groups": "admins"}) is None


def test_the_provider_never_demotes_the_last_owner():
    owner = UserFactory.create(role=Role.OWNER)
    org_actions.set_role_from_provider(member=owner, role=Role.MEMBER)
    owner.refresh_from_db()
    assert owner.role == Role.OWNER
    assert AuditEvent.objects.filter(action="member.role.denied", target_id=owner.pk).exists()
    second = UserFactory.create(role=Role.OWNER, organisation=owner.organisation)
    org_actions.set_role_from_provider(member=second, role=Role.ADMIN)
    second.refresh_from_db()
    assert second.role == Role.ADMIN
    assert AuditEvent.objects.get(action="member.role", target_id=second.pk).data["via"] == "sso"


def test_an_account_made_by_the_provider_has_an_identity_of_its_own():
    """Never the identity that signs in with the same address elsewhere: a provider vouches for one organisation."""
    elsewhere = UserFactory.create(email="ada@acme.test")
    owner = UserFactory.create(role=Role.OWNER)
    account = org_actions.create_account_from_provider(
        organisation=owner.org, email="ada@acme.test", full_name="Ada", role=Role.MEMBER
    )
    assert account.identity_id != elsewhere.identity_id
    assert account.identity is not None and account.identity.login_email is None
    assert not account.identity.has_usable_password()


def test_passwords_off_spares_owners():
    owner = UserFactory.create(role=Role.OWNER)
    member = UserFactory.create(organisation=owner.organisation)
    app = SocialApp.objects.create(provider="openid_connect", provider_id="otest", client_id="c", secret="s")
    IdentityProvider.objects.create(
        organisation=owner.org,
        social_app=app,
        protocol="oidc",
        display_name="Acme",
        allowed_domains=["acme.test"],
        password_login_disabled=True,
    )
    assert password_login_disabled(member)
    assert not password_login_disabled(owner)


@override_settings(ALVEOLE_SSO_ALLOW_INSECURE_ISSUERS=True)  # idp.example.com does not resolve offline
def test_saml_settings_force_signed_assertions(saml_certs):
    owner = UserFactory.create(role=Role.OWNER)
    data = actions.ProviderSettings(
        protocol="saml",
        display_name="Acme SAML",
        allowed_domains=["acme.test"],
        idp_entity_id="https://idp.example.com/metadata",
        idp_sso_url="https://idp.example.com/sso",
        idp_certificate=saml_certs.pem,
    )
    idp = actions.configure_provider(owner, data=data)
    app = idp.social_app
    assert app.provider == "saml" and app.client_id == app.provider_id == idp.slug
    assert app.settings["idp"]["x509cert"] == saml_certs.body
    assert actions.saml_settings_are_safe(app)
    assert app.settings["advanced"]["reject_idp_initiated_sso"] is True
    with pytest.raises(Invalid) as refused:
        actions.configure_provider(owner, data=actions.ProviderSettings(**{**data.__dict__, "idp_certificate": "nope"}))
    assert "idp_certificate" in refused.value.fields


def test_the_provider_settings_go_with_the_organisation(world):
    from allauth.socialaccount.models import SocialApp

    from alveole.sso.tests.factories import make_provider

    provider = make_provider(world.other_org)
    app_id = provider.social_app_id
    world.other_org.delete()
    assert not SocialApp.objects.filter(pk=app_id).exists()  # its client secret with it
