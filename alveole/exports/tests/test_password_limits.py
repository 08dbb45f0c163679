"""Re-entering the password to export shares the sign-in limits (issue 18 item 7)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from alveole.core.models import AuditEvent
from alveole.exports.models import Export
from alveole.factories import TEST_PASSWORD
from alveole.testing import World

pytestmark = pytest.mark.django_db


def _export(client: Client, world: World, password: str, ip: str):
    return client.post(
        f"/api/v1/spaces/{world.open_space.pk}/export", {"password": password}, "application/json", REMOTE_ADDR=ip
    )


def test_wrong_export_passwords_lock_the_account_like_sign_in(world: World, api_client_for) -> None:
    client = api_client_for(world.owner)
    limit = settings.ALVEOLE_LOGIN_FAILURES_PER_ACCOUNT
    answers = [_export(client, world, f"guess-{n}", ip=f"10.0.3.{n}").status_code for n in range(8)]
    assert answers == [400] * limit + [429] * (8 - limit)
    # Once locked, the right password does not get through either; the answer says when to retry.
    locked = _export(client, world, TEST_PASSWORD, ip="10.0.4.1")
    assert locked.status_code == 429
    assert 0 < int(locked["Retry-After"]) <= settings.ALVEOLE_LOGIN_FAILURE_WINDOW
    body = locked.json()
    assert body["code"] == "rate_limited" and "Try again in" in body["message"] and body["fields"] == {}
    assert not Export.objects.exists()
    # Same counters as sign-in: the account is locked there too.
    sign_in = Client().post("/accounts/login/", {"login": world.owner.email, "password": TEST_PASSWORD})
    assert sign_in.status_code == 429


def test_sign_in_failures_count_towards_the_export_limit(world: World, api_client_for) -> None:
    for n in range(settings.ALVEOLE_LOGIN_FAILURES_PER_ACCOUNT):
        Client().post("/accounts/login/", {"login": world.owner.email, "password": "wrong"}, REMOTE_ADDR=f"10.0.5.{n}")
    assert _export(api_client_for(world.owner), world, TEST_PASSWORD, ip="10.0.6.1").status_code == 429


def test_failures_from_one_ip_block_exports_from_that_ip(world: World, api_client_for) -> None:
    for n in range(settings.ALVEOLE_LOGIN_FAILURES_PER_IP):
        Client().post("/accounts/login/", {"login": f"someone{n}@example.com", "password": "x"}, REMOTE_ADDR="10.8.8.8")
    client = api_client_for(world.owner)
    assert _export(client, world, TEST_PASSWORD, ip="10.8.8.8").status_code == 429
    assert _export(client, world, TEST_PASSWORD, ip="10.8.8.9").status_code == 202


def test_a_wrong_export_password_is_audited(world: World, api_client_for) -> None:
    _export(api_client_for(world.owner), world, "guess", ip="10.0.7.1")
    event = AuditEvent.objects.get(action="login.failure")
    assert event.actor == world.owner and event.ip == "10.0.7.1" and event.data == {"step": "export"}


def test_the_export_page_answers_429_with_retry_after(world: World, client_for) -> None:
    client = client_for(world.owner)
    url = f"/spaces/{world.open_space.pk}/export/"
    for n in range(settings.ALVEOLE_LOGIN_FAILURES_PER_ACCOUNT):
        assert client.post(url, {"password": "guess"}, REMOTE_ADDR=f"10.0.8.{n}").status_code == 400
    locked = client.post(url, {"password": TEST_PASSWORD}, REMOTE_ADDR="10.0.9.1")
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0
