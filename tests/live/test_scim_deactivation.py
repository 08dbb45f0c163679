"""A real server: an identity provider deactivates someone through SCIM, and their access ends at once —
their open WebSockets (the browser's and a script's) close within a second, their API token is refused
and their browser session is over (issue 13, provisioning)."""

from __future__ import annotations

import asyncio
import http.cookiejar
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest
import websockets

from alveole.shell.demo import DEMO_ORG, DEMO_PASSWORD

from .conftest import Server
from .test_websocket import Listener, api

pytestmark = pytest.mark.anyio
PERSON = "diego@example.com"


def scim(server: Server, secret: str, method: str, path: str, body: dict | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(
        server.http + "/scim/v2" + path,
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/scim+json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        raw = response.read()
        return response.status, (json.loads(raw) if raw else None)


class Browser:
    """A signed-in browser, as far as cookies go: the session cookie from the real sign-in form."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[str, str]:
        with self.opener.open(self.server.http + path, timeout=10) as response:
            return response.geturl(), response.read().decode()

    def sign_in(self, email: str, password: str) -> None:
        _url, page = self.get("/accounts/login/")
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert csrf is not None
        form = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf.group(1), "login": email, "password": password})
        request = urllib.request.Request(self.server.http + "/accounts/login/", data=form.encode(), method="POST")
        with self.opener.open(request, timeout=10) as response:
            assert "/accounts/login/" not in response.geturl(), "the sign-in was refused"

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def signed_in(self) -> bool:
        url, _page = self.get("/profile/")
        return "/accounts/login/" not in url


class CookieListener(Listener):
    """The browser's socket: authenticated by the session cookie, from the same origin."""

    def __init__(self, server: Server, cookie: str) -> None:
        super().__init__(server, token="")
        self.cookie = cookie

    async def connect(self, after: int | None = None) -> Listener:
        self.socket = await websockets.connect(
            self.server.ws, additional_headers={"Cookie": self.cookie, "Origin": self.server.http}
        )
        first = json.loads(await asyncio.wait_for(self.socket.recv(), 5))
        assert first["kind"] == "hello", first
        self.hello = first
        self.task = asyncio.create_task(self._read())
        return self


async def test_scim_deactivation_ends_sockets_tokens_and_sessions_at_once(server: Server) -> None:
    secret = server.manage("scimtoken", "create", "--organisation", DEMO_ORG, "--name", "Entra ID")
    token = server.token(PERSON)
    browser = Browser(server)
    await asyncio.to_thread(browser.sign_in, PERSON, DEMO_PASSWORD)
    assert await asyncio.to_thread(browser.signed_in)
    by_token = await Listener(server, token).connect()
    by_cookie = await CookieListener(server, browser.cookie_header).connect()

    # The provider provisions the existing person (adopted, not duplicated), then deactivates them.
    status, user = await asyncio.to_thread(scim, server, secret, "POST", "/Users", {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": PERSON, "active": True,
    })  # fmt: skip
    assert status == 201
    patch = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "active", "value": False}],
    }
    status, _ = await asyncio.to_thread(scim, server, secret, "PATCH", f"/Users/{user['id']}", patch)
    assert status in (200, 204)
    answered = time.monotonic()

    assert by_token.task is not None and by_cookie.task is not None
    await asyncio.wait_for(asyncio.gather(by_token.task, by_cookie.task), 1.0)
    assert time.monotonic() - answered < 1.0
    assert by_token.close_code == 4003 and by_cookie.close_code == 4003

    with pytest.raises(urllib.error.HTTPError) as refused:
        await asyncio.to_thread(api, server, token, "GET", "/me")
    assert refused.value.code == 401
    assert not await asyncio.to_thread(browser.signed_in)
    status, after = await asyncio.to_thread(scim, server, secret, "GET", f"/Users/{user['id']}")
    assert status == 200 and after["active"] is False
