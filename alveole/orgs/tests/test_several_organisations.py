"""One person, several organisations: an invitation to an address that already signs in joins that
identity once it has signed in; deactivation in one organisation leaves the others alone."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from alveole.accounts.actions import create_token
from alveole.accounts.identity import SESSION_KEY, accounts_of, identity_of
from alveole.accounts.models import AccessToken, Role, User
from alveole.core.errors import Conflict
from alveole.factories import TEST_PASSWORD, UserFactory
from alveole.orgs import actions
from alveole.orgs.models import Invitation

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def _invite(world, email: str, **kwargs) -> str:
    _invitation, link = actions.invite_member(world.admin, email=email, **kwargs)
    return link.removeprefix("http://testserver")


def _secret(url: str) -> str:
    return url.strip("/").rsplit("/", 1)[-1]


def test_a_signed_in_identity_joins_a_second_organisation_with_the_same_address(world, client_for) -> None:
    url = _invite(world, world.other.email, spaces=[world.open_space])
    client = client_for(world.other)
    page = client.get(url)
    assert page.status_code == 200
    assert "Join Acme" in page.content.decode() and "Create my account" not in page.content.decode()
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    joined = User.objects.get(organisation=world.org, email=world.other.email)
    assert joined.identity_id == identity_of(world.other).pk and joined.role == Role.MEMBER
    assert not joined.has_usable_password()
    assert client.session[SESSION_KEY] == joined.pk
    assert set(accounts_of(identity_of(world.other))) == {world.other, joined}
    home = client.get(reverse("home"))
    assert home.status_code == 200 and "Everyone" in home.content.decode()
    assert Invitation.objects.get(email=world.other.email).accepted_by == joined


def test_someone_signed_in_with_another_address_is_told_to_sign_out(world, client_for) -> None:
    url = _invite(world, world.other.email)
    client = client_for(world.member)
    page = client.get(url)
    assert "You are already signed in" in page.content.decode()
    client.post(url)
    assert not User.objects.filter(organisation=world.org, email=world.other.email).exists()
    with pytest.raises(Conflict):
        actions.accept_invitation_as(identity_of(world.member), _secret(url))


def test_the_existing_identity_signs_in_then_accepts(world) -> None:
    url = _invite(world, world.other.email)
    client = Client()
    assert "Sign in to accept" in client.get(url).content.decode()
    signed_in = client.post(LOGIN, {"login": world.other.email, "password": TEST_PASSWORD, "next": url})
    assert signed_in.status_code == 302 and signed_in["Location"] == url
    assert client.post(url).status_code == 302
    joined = User.objects.get(organisation=world.org, email=world.other.email)
    assert client.session[SESSION_KEY] == joined.pk
    # The password did not change: the identity keeps its own.
    assert identity_of(joined).check_password(TEST_PASSWORD)


def test_accepting_twice_or_into_an_organisation_already_joined_is_a_clear_409(world) -> None:
    url = _invite(world, world.other.email)
    identity = identity_of(world.other)
    actions.accept_invitation_as(identity, _secret(url))
    with pytest.raises(Conflict):
        actions.accept_invitation_as(identity, _secret(url))
    # Even when Acme knows that account by another address now.
    User.objects.filter(organisation=world.org, identity=identity).update(email="renamed@example.org")
    with pytest.raises(Conflict, match="already has an account with Acme"):
        actions.accept_invitation_as(identity, _secret(_invite(world, world.other.email)))


def test_someone_deactivated_everywhere_may_still_sign_in_to_accept_a_new_invitation(world) -> None:
    person = UserFactory.create(organisation=world.other_org, email="freelance@example.net", full_name="Fay Lance")
    actions.deactivate_member(world.other, member=person)
    client = Client()
    # Without an invitation opened in this browser, the sign-in is refused as before.
    refused = client.post(LOGIN, {"login": person.email, "password": TEST_PASSWORD})
    assert "_auth_user_id" not in client.session and refused.status_code in (200, 302)
    url = _invite(world, person.email)
    assert "Sign in to accept" in client.get(url).content.decode()
    signed_in = client.post(LOGIN, {"login": person.email, "password": TEST_PASSWORD, "next": url})
    assert signed_in.status_code == 302 and signed_in["Location"] == url
    # Elsewhere the session is not a signed-in one (it ends); the invitation page alone sees the identity.
    assert client.get(reverse("home")).status_code == 302
    assert "Sign in to accept" in client.get(url).content.decode()
    client.post(LOGIN, {"login": person.email, "password": TEST_PASSWORD, "next": url})
    assert "Join Acme" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    joined = User.objects.get(organisation=world.org, email=person.email)
    assert client.get(reverse("home")).status_code == 200
    assert client.session[SESSION_KEY] == joined.pk
    person.refresh_from_db()
    assert not person.is_active  # B's decision stands


def test_deactivation_in_one_organisation_leaves_the_other_untouched(world, client_for) -> None:
    in_b = UserFactory.create(organisation=world.other_org, email="both@example.net", full_name="Bo Th")
    in_a = UserFactory.create(organisation=world.org, email="both@example.net", full_name="Bo Th")
    assert identity_of(in_a) == identity_of(in_b)
    _token_a, secret_a = create_token(in_a, name="a")
    _token_b, secret_b = create_token(in_b, name="b")
    browser = client_for(in_b)
    assert browser.get(reverse("home")).status_code == 200
    actions.deactivate_member(world.admin, member=in_a)
    assert AccessToken.objects.get(user=in_a).revoked_at is not None
    assert AccessToken.objects.get(user=in_b).revoked_at is None
    assert Client(headers={"Authorization": f"Bearer {secret_a}"}).get("/api/v1/me").status_code == 401
    assert Client(headers={"Authorization": f"Bearer {secret_b}"}).get("/api/v1/me").status_code == 200
    # The browser session in B goes on; switching into A is refused as if A did not exist.
    assert browser.get(reverse("home")).status_code == 200
    assert browser.session[SESSION_KEY] == in_b.pk


def test_the_operator_commands_give_an_address_used_elsewhere_the_same_identity(world) -> None:
    joined = actions.create_user(organisation=world.org, email=world.other.email, full_name="Oscar Other")
    assert joined.identity_id == identity_of(world.other).pk and joined.organisation == world.org
    with pytest.raises(Conflict):
        actions.create_user(organisation=world.org, email=world.other.email, full_name="Twice")
    owner = actions.create_organisation(
        name="Initech", owner_email=world.member.email, owner_name="Mia Member", password="another-long-passphrase-7"
    )
    assert owner.identity_id == identity_of(world.member).pk
    # The identity in use keeps its own password.
    assert identity_of(owner).check_password(TEST_PASSWORD)
