"""Behaviour against the real services (run in CI's PostgreSQL + Redis pass)."""

from __future__ import annotations

import os

import pytest
from django.db import connection
from django.test import override_settings

from alveole.core import ratelimit

pytestmark = pytest.mark.django_db


def test_the_suite_runs_on_the_database_it_was_given():
    wanted = os.environ.get("ALVEOLE_TEST_DATABASE_URL", "")
    expected = "postgresql" if wanted.startswith("postgres") else "sqlite"
    assert connection.vendor == expected


def test_postgres_uses_the_connection_pool():
    if connection.vendor != "postgresql":
        pytest.skip("runs on PostgreSQL only")
    assert "pool" in connection.settings_dict["OPTIONS"]
    assert connection.pool is not None


@pytest.mark.redis
def test_rate_limits_are_shared_through_redis(redis_url):
    from django.core.cache import caches

    cache_settings = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "alveole-test",
        },
    }
    with override_settings(CACHES=cache_settings):
        caches["default"].clear()
        for _ in range(3):
            ratelimit.add_hit("test", "someone", window=60)
        assert ratelimit.retry_after("test", "someone", limit=3, window=60) is not None
        assert ratelimit.retry_after("test", "someone-else", limit=3, window=60) is None
        # A second client (another server process) sees the same count.
        import redis

        raw = redis.Redis.from_url(redis_url)
        assert any(b"rl:test:" in key for key in raw.keys("alveole-test*"))


@pytest.mark.redis
def test_healthz_reports_redis(redis_url, client):
    with override_settings(REDIS_URL=redis_url):
        body = client.get("/healthz").json()
    assert body["redis"]["status"] == "ok"


def test_healthz_reports_an_unreachable_redis(client):
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["redis"]["status"] == "error"
