"""A real server: an admin's token made before two-factor was required opens neither the API nor /ws
(issue 18 item 1)."""

from __future__ import annotations

import json
import urllib.error

import pytest
import websockets

from .conftest import Server
from .test_websocket import Listener, api

pytestmark = pytest.mark.anyio


async def test_an_admin_without_two_factor_cannot_open_the_socket_with_an_old_token(server: Server) -> None:
    camille, sam, diego = (server.token(f"{name}@example.com") for name in ("camille", "sam", "diego"))
    sam_listener = await Listener(server, sam).connect()  # allowed before the requirement
    await sam_listener.close()

    api(server, camille, "PATCH", "/organisation", {"require_mfa_for_admins": True})

    with pytest.raises(websockets.InvalidStatus) as refused:
        await Listener(server, sam).connect()
    assert refused.value.response.status_code == 403
    with pytest.raises(urllib.error.HTTPError) as denied:
        api(server, sam, "GET", "/members")
    assert denied.value.code == 403 and json.loads(denied.value.read())["code"] == "mfa_required"
    with pytest.raises(RuntimeError, match="two-factor"):
        server.token("sam@example.com")

    member = await Listener(server, diego).connect()  # members are not concerned
    await member.close()
