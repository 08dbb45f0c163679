"""The token cache (issue 17): a token read once is accepted again without the database, and whatever could
refuse it — revocation, deactivation, a role that now needs two-factor — refuses it on the very next request.
Two real server processes sharing Redis: tests/live/test_token_cache.py."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from redis.exceptions import ConnectionError as RedisConnectionError

from alveole.accounts import token_cache
from alveole.accounts.actions import authenticate_token, create_token, revoke_token
from alveole.accounts.identity import identity_of
from alveole.accounts.mfa import MFARequired
from alveole.accounts.models import AccessToken, Role
from alveole.core.secrets import hash_secret
from alveole.orgs.actions import change_role, deactivate_member, update_organisation

pytestmark = pytest.mark.django_db
SCIM_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
SCIM_PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def bearer(secret: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {secret}"})


def queries_of(client: Client, path: str = "/api/v1/me") -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_a_cached_token_is_accepted_without_a_query(world, django_assert_num_queries):
    _token, secret = create_token(world.member, name="CI")
    assert authenticate_token(secret) == world.member  # reads the token, records its use
    with django_assert_num_queries(0):
        user = authenticate_token(secret)
    assert user is not None and user == world.member and user.organisation == world.org


def test_the_cache_saves_the_lookup_on_every_api_request(world, settings):
    _token, secret = create_token(world.member, name="CI")
    client = bearer(secret)
    queries_of(client)
    cached = queries_of(client)
    settings.ALVEOLE_TOKEN_CACHE_SECONDS = 0
    assert queries_of(client) == cached + 1


def test_each_request_gets_its_own_copy_of_the_account(world):
    _token, secret = create_token(world.member, name="CI")
    first = authenticate_token(secret)
    assert first is not None
    first.full_name = "Changed in memory only"
    second = authenticate_token(secret)
    assert second is not None and second is not first and second.full_name == world.member.full_name


def test_only_the_tokens_hash_is_kept(world):
    _token, secret = create_token(world.member, name="CI")
    authenticate_token(secret)
    assert token_cache.lookup(hash_secret(secret), token_cache.current_generation()) is not None
    assert secret not in token_cache._entries


def test_a_revoked_token_is_refused_at_once(world):
    token, secret = create_token(world.member, name="CI")
    client = bearer(secret)
    assert client.get("/api/v1/me").status_code == 200
    revoke_token(world.member, token=token)
    assert client.get("/api/v1/me").status_code == 401


def test_a_token_revoked_through_the_api_is_refused_at_once(world, api_client_for):
    token, secret = create_token(world.member, name="CI")
    assert bearer(secret).get("/api/v1/me").status_code == 200
    assert api_client_for(world.member).delete(f"/api/v1/tokens/{token.pk}").status_code == 204
    assert bearer(secret).get("/api/v1/me").status_code == 401


def test_a_deleted_token_is_refused_at_once(world):
    token, secret = create_token(world.member, name="CI")
    assert authenticate_token(secret) is not None
    token.delete()
    assert authenticate_token(secret) is None


def test_a_deactivated_persons_token_is_refused_at_once(world):
    _token, secret = create_token(world.member, name="CI")
    assert bearer(secret).get("/api/v1/me").status_code == 200
    deactivate_member(world.owner, member=world.member)
    assert bearer(secret).get("/api/v1/me").status_code == 401


def test_a_deactivation_through_scim_refuses_the_token_at_once(world):
    from alveole.scim.actions import create_scim_token

    _token, secret = create_token(world.member, name="CI")
    assert bearer(secret).get("/api/v1/me").status_code == 200
    scim = bearer(create_scim_token(world.owner, name="IdP")[1])
    user = {"schemas": [SCIM_USER], "userName": world.member.email, "name": {"formatted": world.member.full_name}}
    linked = scim.post("/scim/v2/Users", json.dumps(user), content_type="application/scim+json")
    assert linked.status_code == 201, linked.content
    patch = {"schemas": [SCIM_PATCH], "Operations": [{"op": "replace", "path": "active", "value": False}]}
    response = scim.patch(
        f"/scim/v2/Users/{linked.json()['id']}", json.dumps(patch), content_type="application/scim+json"
    )
    assert response.status_code in (200, 204), response.content
    assert bearer(secret).get("/api/v1/me").status_code == 401


def test_becoming_an_admin_without_two_factor_refuses_the_token_at_once(world):
    update_organisation(world.owner, require_mfa_for_admins=True)
    _token, secret = create_token(world.member, name="CI")
    assert authenticate_token(secret) == world.member
    change_role(world.owner, member=world.member, role=Role.ADMIN)
    with pytest.raises(MFARequired):
        authenticate_token(secret)


def test_requiring_two_factor_and_removing_it_refuse_an_admins_token_at_once(world):
    Authenticator.objects.create(user=identity_of(world.admin), type=Authenticator.Type.TOTP, data={})
    _token, secret = create_token(world.admin, name="CI")
    assert authenticate_token(secret) == world.admin
    update_organisation(world.owner, require_mfa_for_admins=True)
    assert authenticate_token(secret) == world.admin  # two-factor is set up
    Authenticator.objects.filter(user=identity_of(world.admin)).delete()
    with pytest.raises(MFARequired):
        authenticate_token(secret)


def test_a_new_role_is_seen_at_once(world, api_client_for):
    _token, secret = create_token(world.member, name="CI")
    assert bearer(secret).get("/api/v1/me").json()["role"] == Role.MEMBER
    change_role(world.owner, member=world.member, role=Role.ADMIN)
    assert bearer(secret).get("/api/v1/me").json()["role"] == Role.ADMIN


def test_another_processs_change_is_seen_at_once(world):
    """Another process changed the generation in the shared cache (Redis): this process's entries are not used."""
    _token, secret = create_token(world.member, name="CI")
    assert authenticate_token(secret) is not None
    AccessToken.objects.filter(key_hash=hash_secret(secret)).update(revoked_at=timezone.now())  # no signal here
    assert authenticate_token(secret) is not None  # still cached: nothing said it changed
    cache.set(token_cache.GENERATION_KEY, "another process revoked a token", timeout=None)
    assert authenticate_token(secret) is None


def test_a_flushed_shared_cache_retires_every_entry(world):
    _token, secret = create_token(world.member, name="CI")
    assert authenticate_token(secret) is not None
    AccessToken.objects.filter(key_hash=hash_secret(secret)).update(revoked_at=timezone.now())
    cache.clear()  # Redis restarted or evicted the generation: a new one, which no entry carries
    assert authenticate_token(secret) is None


def test_an_entry_expires_after_the_configured_seconds(world, settings, monkeypatch):
    settings.ALVEOLE_TOKEN_CACHE_SECONDS = 30
    _token, secret = create_token(world.member, name="CI")
    assert authenticate_token(secret) is not None
    AccessToken.objects.filter(key_hash=hash_secret(secret)).update(revoked_at=timezone.now())
    now = token_cache.time.monotonic()
    monkeypatch.setattr(token_cache.time, "monotonic", lambda: now + 29)
    assert authenticate_token(secret) is not None
    monkeypatch.setattr(token_cache.time, "monotonic", lambda: now + 31)
    assert authenticate_token(secret) is None


def test_zero_seconds_turns_the_cache_off(world, settings, django_assert_num_queries):
    settings.ALVEOLE_TOKEN_CACHE_SECONDS = 0
    _token, secret = create_token(world.member, name="CI")
    authenticate_token(secret)
    with django_assert_num_queries(1):
        assert authenticate_token(secret) == world.member
    assert token_cache.lookup(hash_secret(secret), token_cache.current_generation()) is None


def test_without_the_shared_cache_the_database_answers(world, monkeypatch):
    _token, secret = create_token(world.member, name="CI")
    assert authenticate_token(secret) is not None
    AccessToken.objects.filter(key_hash=hash_secret(secret)).update(revoked_at=timezone.now())

    def unreachable(*args: object, **kwargs: object) -> None:
        raise RedisConnectionError("Redis is away")

    monkeypatch.setattr(token_cache.cache, "get", unreachable)
    assert authenticate_token(secret) is None


def test_the_cache_is_bounded_least_recently_used_first(world, monkeypatch):
    monkeypatch.setattr(token_cache, "MAX_ENTRIES", 2)
    token_cache.clear_local()
    secrets = [create_token(world.member, name=f"CI {n}")[1] for n in range(3)]
    for secret in secrets:
        authenticate_token(secret)
    assert token_cache.size() == 2
    generation = token_cache.current_generation()
    assert token_cache.lookup(hash_secret(secrets[0]), generation) is None
    assert token_cache.lookup(hash_secret(secrets[2]), generation) is not None


def test_unknown_tokens_are_not_cached(world):
    token_cache.clear_local()
    assert authenticate_token("alv_not-a-real-token") is None
    assert token_cache.size() == 0


def test_last_use_is_still_recorded_about_once_a_minute(world, django_assert_num_queries):
    token, secret = create_token(world.member, name="CI")
    authenticate_token(secret)
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    entry = token_cache.lookup(hash_secret(secret), token_cache.current_generation())
    assert entry is not None
    entry.last_used_at = first_use - timedelta(minutes=2)  # as if this process had last written two minutes ago
    AccessToken.objects.filter(pk=token.pk).update(last_used_at=first_use - timedelta(minutes=2))
    with django_assert_num_queries(1):  # the write, and only it
        authenticate_token(secret)
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_at > first_use - timedelta(seconds=1)
    with django_assert_num_queries(0):
        authenticate_token(secret)


def test_another_process_that_recorded_the_use_is_not_overwritten(world):
    token, secret = create_token(world.member, name="CI")
    authenticate_token(secret)
    entry = token_cache.lookup(hash_secret(secret), token_cache.current_generation())
    assert entry is not None
    recent = timezone.now() - timedelta(seconds=5)
    AccessToken.objects.filter(pk=token.pk).update(last_used_at=recent)  # another process wrote just now
    entry.last_used_at = recent - timedelta(minutes=5)
    authenticate_token(secret)
    token.refresh_from_db()
    assert token.last_used_at == recent
