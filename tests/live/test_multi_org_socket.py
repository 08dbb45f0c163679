"""One person in two organisations (issue 13): deactivation in one closes that organisation's socket and
tokens only; the other organisation's socket, token and data stay as they were."""

from __future__ import annotations

import asyncio
import urllib.error

import pytest

from .conftest import Server
from .test_websocket import Listener, api

pytestmark = pytest.mark.anyio
DEMO = "Hexagone & Co (demo)"
STUDIO = "Nair Studio"


async def test_deactivation_in_one_organisation_closes_that_socket_only(server: Server) -> None:
    server.manage("createorg", "--name", STUDIO, "--owner-email", "nadia@nair.example", "--owner-name", "Nadia Nair")
    studio_id = api(server, server.token("nadia@nair.example"), "GET", "/me")["organisation_id"]
    # Diego, a member of the demo company, gets an account in the studio with the same address.
    server.manage("createuser", "--email", "diego@example.com", "--name", "Diego Álvarez", "--org", str(studio_id))
    camille = server.token("camille@example.com")
    diego_demo = server.manage("token", "create", "--email", "diego@example.com", "--organisation", DEMO)
    diego_studio = server.manage("token", "create", "--email", "diego@example.com", "--organisation", STUDIO)
    in_demo, in_studio = api(server, diego_demo, "GET", "/me"), api(server, diego_studio, "GET", "/me")
    assert in_demo["organisation_name"] == DEMO and in_studio["organisation_name"] == STUDIO
    demo_socket = await Listener(server, diego_demo).connect()
    studio_socket = await Listener(server, diego_studio).connect()

    await asyncio.to_thread(api, server, camille, "POST", f"/members/{in_demo['id']}/deactivate")
    assert demo_socket.task is not None and studio_socket.task is not None
    await asyncio.wait_for(demo_socket.task, 5)
    assert demo_socket.close_code == 4003
    await asyncio.sleep(1)
    assert not studio_socket.task.done()  # the studio's socket stays open
    with pytest.raises(urllib.error.HTTPError) as refused:
        await asyncio.to_thread(api, server, diego_demo, "GET", "/me")
    assert refused.value.code == 401
    assert (await asyncio.to_thread(api, server, diego_studio, "GET", "/me"))["id"] == in_studio["id"]
    await studio_socket.close()
