"""The feed card cache across two server processes sharing PostgreSQL and Redis (issue 17).

Both processes warm the cache with the same cards; then a post is taken away from its reader in each way
that matters — the reader leaves the space, is deactivated, the post is deleted, the post comes under a
confidential label a guest may not read — and the next page through the *other* process must not show it.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import urllib.parse
import urllib.request
from collections.abc import Iterator

import psycopg
import pytest

from alveole.testing import _service_missing

from .conftest import Server
from .test_websocket import EVERYONE, PROJECT, api, post, space_ids

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
PASSWORD = "hive-demo-2026"  # alveole.shell.demo.DEMO_PASSWORD


class Browser:
    """A signed-in web session (a cookie jar) that can ask either server: sessions live in the database."""

    def __init__(self, server: Server, email: str) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        page = self.get(server, "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token is not None
        data = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token.group(1), "login": email, "password": PASSWORD}
        ).encode()
        request = urllib.request.Request(server.http + "/accounts/login/", data=data, method="POST")
        request.add_header("Referer", server.http + "/accounts/login/")
        with self.opener.open(request, timeout=10) as response:
            assert urllib.parse.urlparse(response.url).path == "/", response.url

    def get(self, server: Server, path: str) -> str:
        try:
            with self.opener.open(server.http + path, timeout=10) as response:
                return response.read().decode()
        except urllib.error.HTTPError as exc:
            return f"HTTP {exc.code}"


def shows(html: str, post_id: int) -> bool:
    return f'id="post-{post_id}"' in html


@pytest.fixture
def servers(live_env: dict[str, str], redis_url: str) -> Iterator[tuple[Server, Server]]:
    if not os.environ.get("ALVEOLE_TEST_DATABASE_URL", "").startswith("postgres"):
        _service_missing("postgres", "ALVEOLE_TEST_DATABASE_URL is not a PostgreSQL URL")
    env = {**live_env, "REDIS_URL": redis_url, "ALVEOLE_PAGE_CACHE_SECONDS": "600"}
    first = Server(env).start(demo=True)
    second = Server(env).start()
    yield first, second
    first.stop()
    second.stop()


def test_a_warm_card_cache_never_shows_a_post_its_reader_lost(servers: tuple[Server, Server]) -> None:
    first, second = servers
    diego, camille = first.token("diego@example.com"), first.token("camille@example.com")
    spaces = space_ids(first, camille)
    lena_token = first.token("lena@example.com")
    lena_id = api(first, lena_token, "GET", "/me")["id"]
    diego_id = api(first, diego, "GET", "/me")["id"]
    deleted = post(first, diego, spaces[EVERYONE], "Deleted soon")
    kept = post(first, diego, spaces[EVERYONE], "Stays")
    relabelled = post(first, diego, spaces[PROJECT], "Soon confidential")
    left = post(first, lena_token, spaces[PROJECT], "In the project Diego leaves")
    lena, priya = Browser(first, "lena@example.com"), Browser(second, "priya@client.example")
    diego_web = Browser(second, "diego@example.com")
    project = f"/spaces/{spaces[PROJECT]}/?fragment=1"
    for server in (first, second):  # warm both processes, and the shared Redis, with every card
        assert shows(lena.get(server, "/?fragment=1"), deleted)
        assert shows(diego_web.get(server, project), left) and shows(diego_web.get(server, "/?fragment=1"), left)
        assert shows(priya.get(server, project), relabelled) and shows(priya.get(server, "/?fragment=1"), relabelled)

    api(first, diego, "DELETE", f"/posts/{deleted}")
    home = lena.get(second, "/?fragment=1")
    assert shows(home, kept) and not shows(home, deleted)

    # A confidential label on a post in a space with guests is refused by the actions; the feeds' backstop
    # must still keep it from the guest, whatever the cache holds.
    with psycopg.connect(first.env["DATABASE_URL"], autocommit=True) as conn:
        conn.execute(
            "UPDATE feed_post SET label_id = (SELECT id FROM spaces_label WHERE restricted LIMIT 1) WHERE id = %s",
            (relabelled,),
        )
    assert not shows(priya.get(first, project), relabelled)
    assert not shows(priya.get(first, "/?fragment=1"), relabelled)

    api(first, camille, "DELETE", f"/spaces/{spaces[PROJECT]}/members/{diego_id}")
    assert not shows(diego_web.get(second, "/?fragment=1"), left)
    assert not shows(diego_web.get(second, project), left)

    api(second, camille, "POST", f"/members/{lena_id}/deactivate")
    for server in (first, second):
        assert not shows(lena.get(server, "/?fragment=1"), kept)
