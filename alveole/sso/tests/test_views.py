"""The owners' page, the sign-in start page, and passwords turned off for an organisation."""

from __future__ import annotations

import pytest

from alveole.accounts.models import Role
from alveole.factories import UserFactory
from alveole.sso.models import IdentityProvider
from alveole.sso.tests.factories import make_provider

pytestmark = pytest.mark.django_db


def passwords_off(org) -> IdentityProvider:
    return make_provider(org, password_login_disabled=True)


def test_settings_page_is_for_owners(world, client_for):
    page = client_for(world.owner).get("/admin/settings/sso/")
    assert page.status_code == 200
    assert "Single sign-on" in page.content.decode()
    for role in ("admin", "member", "guest"):
        assert client_for(world.user(role)).get("/admin/settings/sso/").status_code == 403
    assert client_for(None).get("/admin/settings/sso/").status_code == 302


def test_start_page_refuses_an_unknown_domain_with_a_sentence(client):
    assert client.get("/sso/start/").status_code == 200
    answer = client.post("/sso/start/", {"email": "ada@nowhere.test"})
    assert answer.status_code == 400
    assert "No organisation signs in with single sign-on for this address" in answer.content.decode()


def test_passwords_off_refuses_members_but_not_owners(world, client_for):
    passwords_off(world.org)
    member = client_for(world.member)
    answer = member.get("/")
    assert answer.status_code == 302 and answer["Location"] == "/sso/start/"
    assert member.get("/api/v1/me").status_code == 401  # signed out
    assert client_for(world.owner).get("/").status_code == 200


def test_passwords_off_moves_to_the_persons_other_organisation(world, client_for):
    """One person in A (passwords off) and B: a password session opens B."""
    passwords_off(world.org)
    in_b = UserFactory.create(organisation=world.other_org, email=world.member.email, role=Role.MEMBER)
    assert in_b.identity_id == world.member.identity_id
    client = client_for(world.member)
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/me").json()["id"] == in_b.pk


def test_start_is_rate_limited(client, settings):
    for _ in range(30):
        client.post("/sso/start/", {"email": "ada@nowhere.test"})
    answer = client.post("/sso/start/", {"email": "ada@nowhere.test"})
    assert answer.status_code == 429 and int(answer["Retry-After"]) > 0
    assert "Too many attempts" in answer.content.decode()


def test_passwords_off_refuses_the_live_socket_of_a_password_session(world, client_for, settings):
    from alveole.realtime.ws import authenticate

    def scope(client) -> dict:
        cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        return {"type": "websocket", "headers": [(b"cookie", cookie.encode()), (b"host", b"testserver")]}

    member, owner = client_for(world.member), client_for(world.owner)
    assert authenticate(scope(member)) == (world.member.pk, world.org.pk)
    passwords_off(world.org)
    assert authenticate(scope(member)) is None  # no page needed to notice: the socket asks itself
    assert authenticate(scope(owner)) == (world.owner.pk, world.org.pk)  # owners keep the way back in
