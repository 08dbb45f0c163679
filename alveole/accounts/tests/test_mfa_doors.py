"""Two-factor required for owners and admins binds every door, not only the browser session (issue 18 item 1).

An owner or admin who has not set it up keeps their tokens, their calendar address and their session,
but none of them acts for them until they set it up.
"""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.management import CommandError, call_command

from alveole.accounts.actions import create_token
from alveole.accounts.mfa import MFARequired
from alveole.accounts.models import AccessToken, User
from alveole.orgs.actions import update_organisation
from alveole.projects.actions import rotate_calendar_token
from alveole.realtime.ws import authenticate
from alveole.testing import World

pytestmark = pytest.mark.django_db


def _token(user: User) -> str:
    return create_token(user, name="made before the requirement")[1]


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _assert_mfa_required(response) -> None:
    assert response.status_code == 403, response.content
    body = response.json()
    assert body["code"] == "mfa_required"
    assert "two-factor" in body["message"] and "/accounts/2fa/" in body["message"]


def _set_up_totp(user: User) -> None:
    Authenticator.objects.create(user=user.identity, type=Authenticator.Type.TOTP, data={"secret": "x"})


def test_tokens_made_before_the_requirement_no_longer_act_for_admins(world: World, client) -> None:
    owner, admin, member = _token(world.owner), _token(world.admin), _token(world.member)
    update_organisation(world.owner, require_mfa_for_admins=True)
    for secret in (owner, admin):
        _assert_mfa_required(client.get("/api/v1/members", headers=_bearer(secret)))
        _assert_mfa_required(
            client.post("/api/v1/tokens", {"name": "more"}, "application/json", headers=_bearer(secret))
        )
        _assert_mfa_required(client.post(f"/api/v1/members/{world.nonmember.pk}/deactivate", headers=_bearer(secret)))
    world.nonmember.refresh_from_db()
    assert world.nonmember.is_active
    assert not AccessToken.objects.filter(name="more").exists()
    # Members are not concerned.
    assert client.get("/api/v1/members", headers=_bearer(member)).status_code == 200


def test_the_same_token_works_again_once_two_factor_is_set_up(world: World, client) -> None:
    secret = _token(world.admin)
    update_organisation(world.owner, require_mfa_for_admins=True)
    _assert_mfa_required(client.get("/api/v1/me", headers=_bearer(secret)))
    _set_up_totp(world.admin)
    assert client.get("/api/v1/me", headers=_bearer(secret)).status_code == 200


def test_a_refused_token_is_not_marked_as_used(world: World, client) -> None:
    secret = _token(world.admin)
    update_organisation(world.owner, require_mfa_for_admins=True)
    client.get("/api/v1/me", headers=_bearer(secret))
    assert AccessToken.objects.get(user=world.admin).last_used_at is None


def test_no_token_can_be_created_before_two_factor_is_set_up(world: World) -> None:
    update_organisation(world.owner, require_mfa_for_admins=True)
    world.admin.refresh_from_db()  # as each request loads the person
    with pytest.raises(MFARequired):
        create_token(world.admin, name="CI")
    with pytest.raises(CommandError, match="two-factor"):
        call_command("token", "create", "--email", world.admin.email)
    assert not AccessToken.objects.filter(user=world.admin).exists()
    _set_up_totp(world.admin)
    assert create_token(world.admin, name="CI")[0].user_id == world.admin.pk


def test_the_browser_session_gets_the_same_answer_in_the_api(world: World, client_for) -> None:
    update_organisation(world.owner, require_mfa_for_admins=True)
    _assert_mfa_required(client_for(world.admin).get("/api/v1/members"))


# --- the WebSocket: authenticate() decides the handshake ------------------------------------------


def _scope(headers: dict[str, str]) -> dict:
    return {
        "type": "websocket",
        "path": "/ws",
        "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()],
    }


def test_the_socket_refuses_an_admins_token_until_two_factor_is_set_up(world: World) -> None:
    admin, member = _token(world.admin), _token(world.member)
    assert authenticate(_scope(_bearer(admin))) == (world.admin.pk, world.org.pk)
    update_organisation(world.owner, require_mfa_for_admins=True)
    assert authenticate(_scope(_bearer(admin))) is None
    assert authenticate(_scope(_bearer(member))) == (world.member.pk, world.org.pk)
    _set_up_totp(world.admin)
    assert authenticate(_scope(_bearer(admin))) == (world.admin.pk, world.org.pk)


def test_the_socket_refuses_an_admins_session_until_two_factor_is_set_up(world: World, client_for) -> None:
    # Signing in with the password alone opens a session (to reach the set-up page); it must not
    # open the live stream either.
    session = client_for(world.admin).cookies[settings.SESSION_COOKIE_NAME].value
    scope = _scope({"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"})
    assert authenticate(scope) == (world.admin.pk, world.org.pk)
    update_organisation(world.owner, require_mfa_for_admins=True)
    assert authenticate(scope) is None


# --- the calendar feed: its address is a token too -------------------------------------------------


def test_an_admins_calendar_address_says_to_set_up_two_factor_first(world: World, client) -> None:
    admin, member = rotate_calendar_token(world.admin), rotate_calendar_token(world.member)
    update_organisation(world.owner, require_mfa_for_admins=True)
    refused = client.get(f"/calendar/{admin}.ics")
    assert refused.status_code == 403
    assert refused["Content-Type"].startswith("text/plain") and b"two-factor" in refused.content
    assert client.get(f"/calendar/{member}.ics").status_code == 200
    _set_up_totp(world.admin)
    assert client.get(f"/calendar/{admin}.ics").status_code == 200
