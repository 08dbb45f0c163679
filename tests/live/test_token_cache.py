"""Two real server processes sharing the database and Redis, each with a warm token cache (issue 17): a token
revoked through one is refused by the other on the very next request."""

from __future__ import annotations

import sqlite3
import urllib.error
from contextlib import closing
from typing import Any

import pytest

from .conftest import Server
from .test_websocket import api

PERSON = "lena@example.com"


def get(server: Server, token: str, path: str) -> tuple[int, Any]:
    try:
        return 200, api(server, token, "GET", path)
    except urllib.error.HTTPError as error:
        return error.code, None


def rename_behind_the_caches(env: dict[str, str], email: str, name: str) -> None:
    """A change written straight to the database, that no process is told about."""
    url = env["DATABASE_URL"]
    sql = "UPDATE accounts_user SET full_name = {0} WHERE email = {0} AND organisation_id IS NOT NULL"
    if url.startswith("postgres"):
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql.format("%s"), [name, email])
    else:
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as conn:
            conn.execute(sql.format("?"), [name, email])
            conn.commit()


@pytest.mark.redis
def test_a_token_revoked_through_one_process_is_refused_by_the_other_at_once(
    live_env: dict[str, str], redis_url: str
) -> None:
    env = {**live_env, "REDIS_URL": redis_url, "ALVEOLE_TOKEN_CACHE_SECONDS": "300"}
    first = Server(env).start(demo=True)
    second = Server(env).start()
    try:
        secret, other = first.token(PERSON), first.token(PERSON)
        for server in (first, second):
            for token in (secret, other):
                status, me = get(server, token, "/me")
                assert status == 200 and me["email"] == PERSON
        name = me["full_name"]

        # Both caches are warm: a change nobody announced is not seen by either process.
        rename_behind_the_caches(env, PERSON, "Renamed behind the caches")
        for server in (first, second):
            for token in (secret, other):
                assert get(server, token, "/me")[1]["full_name"] == name

        tokens = api(first, other, "GET", "/tokens")
        [token_id] = [t["id"] for t in tokens if secret.startswith(t["prefix"])]
        api(first, other, "DELETE", f"/tokens/{token_id}")

        assert get(second, secret, "/me")[0] == 401
        assert get(first, secret, "/me")[0] == 401
        # Every process forgot everything it had cached, not only the revoked token.
        assert get(second, other, "/me")[1]["full_name"] == "Renamed behind the caches"
    finally:
        first.stop()
        second.stop()
