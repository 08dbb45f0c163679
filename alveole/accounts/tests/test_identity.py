"""One person, one sign-in identity, accounts in several organisations (accounts/identity.py)."""

from __future__ import annotations

import time
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from allauth.usersessions.internal import usersessionkit
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory, override_settings

from alveole.accounts.actions import user_for_token
from alveole.accounts.identity import SESSION_KEY, accounts_of, identity_of, resolve, switch_to
from alveole.accounts.middleware import IdentitySessionsMiddleware
from alveole.accounts.models import Role, User
from alveole.core.errors import NotFound
from alveole.factories import TEST_PASSWORD, OrganisationFactory, UserFactory
from alveole.orgs import actions as org_actions
from alveole.realtime.ws import authenticate
from alveole.testing import World

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


@pytest.fixture
def person_in_a_and_b(world: World) -> tuple[User, User]:
    """The same address in A (a member) and in B (a guest): one identity, two accounts."""
    in_a = UserFactory.create(organisation=world.org, email="pat@example.com", role=Role.MEMBER, full_name="Pat")
    in_b = UserFactory.create(organisation=world.other_org, email="pat@example.com", role=Role.GUEST, full_name="Pat")
    return in_a, in_b


def _sign_in(email: str, password: str = TEST_PASSWORD) -> Client:
    client = Client()
    response = client.post(LOGIN, {"login": email, "password": password})
    assert response.status_code == 302, response.content.decode()[:300]
    return client


def _request(identity: User, path: str = "/", account: User | None = None):
    request = RequestFactory().get(path)
    SessionMiddleware(lambda r: None).process_request(request)  # type: ignore[arg-type]
    if account is not None:
        request.session[SESSION_KEY] = account.pk
    request.user = identity
    resolve(request)
    return request


def test_every_account_has_an_identity_and_organisation_lists_never_hold_identities(world, person_in_a_and_b):
    in_a, in_b = person_in_a_and_b
    assert in_a.identity_id == in_b.identity_id and in_a.identity is not None
    assert in_a.identity.organisation_id is None and in_a.identity.login_email == "pat@example.com"
    assert not in_a.has_usable_password() and in_a.identity.has_usable_password()
    assert list(accounts_of(in_a.identity)) == [in_a, in_b]
    for org in (world.org, world.other_org):
        assert not User.objects.filter(organisation=org, organisation__isnull=True).exists()
        assert all(u.identity_id is not None for u in User.objects.filter(organisation=org))
    assert set(User.objects.filter(organisation=world.org)).isdisjoint(User.objects.filter(organisation__isnull=True))


def test_one_sign_in_opens_the_oldest_account_then_the_one_used_last(person_in_a_and_b):
    in_a, in_b = person_in_a_and_b
    client = _sign_in("pat@example.com")
    assert client.get("/api/v1/me").json()["id"] == in_a.pk
    identity = identity_of(in_a)
    request = _request(identity)
    switch_to(request, in_b)
    assert request.user == in_b and request.session[SESSION_KEY] == in_b.pk
    identity.refresh_from_db()
    assert identity.last_account_id == in_b.pk
    assert _sign_in("pat@example.com").get("/api/v1/me").json()["id"] == in_b.pk


def test_switch_to_refuses_someone_elses_or_a_deactivated_account(world, person_in_a_and_b):
    in_a, in_b = person_in_a_and_b
    request = _request(identity_of(in_a))
    with pytest.raises(NotFound):
        switch_to(request, world.member)
    org_actions.deactivate_member(world.other, member=in_b)
    in_b.refresh_from_db()
    with pytest.raises(NotFound):
        switch_to(request, in_b)
    assert request.user == in_a


def test_allauths_pages_keep_the_identity(person_in_a_and_b):
    in_a, _in_b = person_in_a_and_b
    request = _request(identity_of(in_a), path="/accounts/2fa/")
    assert request.user == identity_of(in_a) and request.account == in_a


def test_deactivation_in_a_leaves_b_open_in_the_same_browser(world, person_in_a_and_b):
    in_a, in_b = person_in_a_and_b
    client = _sign_in("pat@example.com")
    assert client.get("/api/v1/me").json()["id"] == in_a.pk
    org_actions.deactivate_member(world.owner, member=in_a)
    # The session goes on, as B: A is refused on the next request.
    assert UserSession.objects.filter(user=identity_of(in_a)).exists()
    assert client.get("/api/v1/me").json()["id"] == in_b.pk
    org_actions.deactivate_member(world.other, member=in_b)
    assert client.get("/api/v1/me").status_code == 401


def test_a_stale_session_key_falls_back_to_an_active_account(world, person_in_a_and_b):
    in_a, in_b = person_in_a_and_b
    request = _request(identity_of(in_a), account=world.member)  # not this identity's
    assert request.user == in_a
    request = _request(identity_of(in_a), account=in_b)
    assert request.user == in_b


def test_password_reset_sends_one_mail_to_a_person_with_two_accounts(person_in_a_and_b):
    response = Client().post("/accounts/password/reset/", {"email": "pat@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["pat@example.com"]


def test_sign_in_with_totp_asks_for_the_code_of_the_identity(world):
    secret = generate_totp_secret()
    TOTP.activate(identity_of(world.admin), secret)
    client = Client()
    response = client.post(LOGIN, {"login": world.admin.email, "password": TEST_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/authenticate/"
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 302, response.content.decode()[:300]
    assert client.get("/api/v1/me").json()["id"] == world.admin.pk
    assert Authenticator.objects.filter(user=world.admin).count() == 0


def test_the_socket_uses_the_sessions_active_account(person_in_a_and_b):
    _in_a, in_b = person_in_a_and_b
    client = _sign_in("pat@example.com")
    session = client.session
    session[SESSION_KEY] = in_b.pk
    session.save()
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    scope = {"type": "websocket", "path": "/ws", "headers": [(b"cookie", cookie.encode())]}
    assert authenticate(scope) == (in_b.pk, in_b.organisation_id)


@override_settings(USERSESSIONS_TRACK_ACTIVITY=True)
def test_sessions_are_tracked_for_the_identity(person_in_a_and_b):
    """Pins allauth's internal `usersessionkit.track_activity`, which IdentitySessionsMiddleware calls."""
    assert callable(usersessionkit.track_activity)
    in_a, _in_b = person_in_a_and_b
    request = _request(identity_of(in_a))
    request.session.save()
    IdentitySessionsMiddleware(lambda r: None)(request)  # type: ignore[arg-type, return-value]
    assert UserSession.objects.filter(user=identity_of(in_a), session_key=request.session.session_key).exists()
    assert not UserSession.objects.filter(user=in_a).exists()


def test_the_same_address_may_have_an_account_in_each_organisation(world):
    org = OrganisationFactory.create()
    UserFactory.create(organisation=org, email=world.member.email)
    assert User.objects.filter(email=world.member.email, organisation__isnull=False).count() == 2
    assert User.objects.filter(login_email=world.member.email).count() == 1


def test_the_token_command_asks_which_organisation_when_the_address_has_several(world, person_in_a_and_b):
    with pytest.raises(CommandError, match="--organisation"):
        call_command("token", "create", "--email", "pat@example.com")
    out = StringIO()
    call_command("token", "create", "--email", "pat@example.com", "--organisation", world.other_org.name, stdout=out)
    assert user_for_token(out.getvalue().strip()) == person_in_a_and_b[1]
