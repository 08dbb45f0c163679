"""Every re-entry of the password by a signed-in person shares the sign-in limits (issue 18 item 7).

allauth asks for it again before sensitive account changes (such as setting up two-factor) and to
change the password; exports ask for it too (alveole/exports/tests/test_password_limits.py).
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from alveole.accounts.identity import identity_of
from alveole.factories import TEST_PASSWORD
from alveole.testing import World

pytestmark = pytest.mark.django_db

REAUTHENTICATE = "/accounts/reauthenticate/"
CHANGE_PASSWORD = "/accounts/password/change/"
NEW_PASSWORD = "amber-hive-on-the-hill"


def _change(client: Client, old: str, ip: str):
    return client.post(
        CHANGE_PASSWORD, {"oldpassword": old, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, REMOTE_ADDR=ip
    )


def test_confirming_the_password_is_limited_like_sign_in(world: World, client_for) -> None:
    client = client_for(world.admin)
    for n in range(settings.ALVEOLE_LOGIN_FAILURES_PER_ACCOUNT):
        assert client.post(REAUTHENTICATE, {"password": "guess"}, REMOTE_ADDR=f"10.1.0.{n}").status_code == 200
    locked = client.post(REAUTHENTICATE, {"password": TEST_PASSWORD}, REMOTE_ADDR="10.1.1.1")
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0
    assert Client().post("/accounts/login/", {"login": world.admin.email, "password": TEST_PASSWORD}).status_code == 429


def test_confirming_the_password_still_works_under_the_limit(world: World, client_for) -> None:
    client = client_for(world.admin)
    client.post(REAUTHENTICATE, {"password": "guess"}, REMOTE_ADDR="10.1.2.1")
    assert client.post(REAUTHENTICATE, {"password": TEST_PASSWORD}, REMOTE_ADDR="10.1.2.2").status_code == 302


def test_the_current_password_of_a_password_change_is_limited_like_sign_in(world: World, client_for) -> None:
    client = client_for(world.member)
    for n in range(settings.ALVEOLE_LOGIN_FAILURES_PER_ACCOUNT):
        assert _change(client, "guess", ip=f"10.2.0.{n}").status_code == 200
    locked = _change(client, TEST_PASSWORD, ip="10.2.1.1")
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0
    identity = identity_of(world.member)
    identity.refresh_from_db()
    assert identity.check_password(TEST_PASSWORD)


def test_a_password_change_with_the_right_password_still_works(world: World, client_for) -> None:
    client = client_for(world.member)
    assert _change(client, TEST_PASSWORD, ip="10.2.2.1").status_code == 302
    identity = identity_of(world.member)
    identity.refresh_from_db()
    assert identity.check_password(NEW_PASSWORD)
