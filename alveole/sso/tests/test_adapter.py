"""The sign-in decisions of sso/adapter.py, on allauth's SocialLogin as its providers build it after the protocol
checks (those are covered end to end by tests/browser/test_sso_oidc.py and test_sso_saml.py)."""

from __future__ import annotations

import pytest
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.models import SocialAccount, SocialLogin
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from alveole.accounts.models import Role, User
from alveole.factories import UserFactory
from alveole.sso.adapter import SocialAccountAdapter
from alveole.sso.tests.factories import make_provider

pytestmark = pytest.mark.django_db


def login_of(slug: str, *, email: str, uid: str = "sub-1", role=None, verified=True, user=None) -> SocialLogin:
    userinfo = {"sub": uid, "email": email, "email_verified": verified, "name": "Ada Lovelace"}
    if role is not None:
        userinfo["groups"] = role
    account = SocialAccount(provider=slug, uid=uid, extra_data={"userinfo": userinfo, "id_token": {"sub": uid}})
    return SocialLogin(user=user or User(), account=account)


def run(sociallogin: SocialLogin):
    request = RequestFactory().get("/accounts/oidc/x/login/callback/")
    request.session = SessionStore()
    SocialAccountAdapter().pre_social_login(request, sociallogin)
    return sociallogin


def refusal(sociallogin: SocialLogin) -> str:
    with pytest.raises(ImmediateHttpResponse) as refused:
        run(sociallogin)
    assert refused.value.response.status_code == 403
    return refused.value.response.content.decode()


@pytest.fixture
def idp(world):
    provider = make_provider(world.org)
    provider.role_claim, provider.role_map = "groups", {"admins": "admin", "bosses": "owner"}
    provider.save()
    return provider


def test_first_sign_in_creates_the_account_in_the_providers_organisation(world, idp):
    login = run(login_of(idp.slug, email="ada@acme.test", role=["staff", "admins"]))
    account = User.objects.get(organisation=world.org, email="ada@acme.test")
    assert account.role == Role.ADMIN and account.full_name == "Ada Lovelace"
    assert login.user == account
    assert SocialAccount.objects.get(provider=idp.slug, uid="sub-1").user_id == account.pk


def test_an_invited_person_gets_their_account_not_someone_elses(world, idp):
    """Same address in B: never connected, and the A account found is the org's own."""
    in_b = UserFactory.create(organisation=world.other_org, email="ada@acme.test")
    in_a = UserFactory.create(organisation=world.org, email="ada@acme.test")
    login = run(login_of(idp.slug, email="ADA@acme.test"))
    assert login.user.pk == in_a.pk != in_b.pk
    assert in_a.role == Role.MEMBER  # no role claim: kept


def test_a_social_account_pointing_to_another_organisation_is_refused(world, idp):
    """A provider of A never opens an account of B, even if a SocialAccount row said so."""
    SocialAccount.objects.create(provider=idp.slug, uid="sub-x", user=world.other)
    login = login_of(idp.slug, email="oscar@acme.test", uid="sub-x")
    login.lookup()
    assert "another organisation" in refusal(login)


def test_refusals_are_one_sentence(world, idp):
    assert "only for addresses at acme.test, not eve@evil.test" in refusal(login_of(idp.slug, email="eve@evil.test"))
    assert "did not confirm your email address" in refusal(login_of(idp.slug, email="ada@acme.test", verified=False))
    idp.create_on_first_sign_in = False
    idp.save()
    assert "ask one of its administrators to invite you" in refusal(login_of(idp.slug, email="new@acme.test"))
    assert not User.objects.filter(email="new@acme.test").exists()


def test_deactivated_accounts_stay_out(world, idp):
    UserFactory.create(organisation=world.org, email="gone@acme.test", is_active=False)
    assert "is deactivated" in refusal(login_of(idp.slug, email="gone@acme.test"))
