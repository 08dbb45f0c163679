"""Personal access tokens: hashed at rest, named, revocable, last use recorded."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client

from alveole.accounts.actions import create_token, revoke_token
from alveole.accounts.models import AccessToken
from alveole.core.models import AuditEvent
from alveole.orgs.actions import deactivate_member

pytestmark = pytest.mark.django_db


def bearer(secret: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {secret}"})


def test_only_a_hash_of_the_token_is_stored(world):
    token, secret = create_token(world.member, name="CI")
    stored = AccessToken.objects.get(pk=token.pk)
    assert secret not in {stored.key_hash, stored.prefix, stored.name}
    assert stored.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert AuditEvent.objects.filter(action="token.create", actor=world.member).exists()


def test_a_token_authenticates_and_records_its_last_use(world):
    token, secret = create_token(world.member, name="CI")
    assert token.last_used_at is None
    response = bearer(secret).get("/api/v1/me")
    assert response.status_code == 200 and response.json()["email"] == world.member.email
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_revoked_token_is_refused(world):
    token, secret = create_token(world.member, name="CI")
    revoke_token(world.member, token=token)
    assert bearer(secret).get("/api/v1/me").status_code == 401
    assert AuditEvent.objects.filter(action="token.revoke").exists()


def test_a_wrong_or_malformed_token_is_refused(world):
    assert bearer("alv_not-a-real-token").get("/api/v1/me").status_code == 401
    assert Client(headers={"Authorization": "Basic Zm9vOmJhcg=="}).get("/api/v1/me").status_code == 401


def test_deactivation_ends_tokens_at_once(world):
    _token, secret = create_token(world.member, name="CI")
    assert bearer(secret).get("/api/v1/me").status_code == 200
    deactivate_member(world.owner, member=world.member)
    assert bearer(secret).get("/api/v1/me").status_code == 401


def test_api_lists_and_revokes_my_tokens(world, api_client_for):
    client = api_client_for(world.member)
    created = client.post("/api/v1/tokens", {"name": "laptop"}, content_type="application/json").json()
    assert created["secret"].startswith("alv_") and created["token"]["name"] == "laptop"
    listed = client.get("/api/v1/tokens").json()
    assert {t["name"] for t in listed} == {"tests", "laptop"}
    assert all("secret" not in t and "key_hash" not in t for t in listed)
    assert client.delete(f"/api/v1/tokens/{created['token']['id']}").status_code == 204
    assert bearer(created["secret"]).get("/api/v1/me").status_code == 401
