"""Live delivery through real server processes and real WebSockets."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from typing import Any

import pytest
import websockets

from .conftest import Server

pytestmark = pytest.mark.anyio
EVERYONE, PROJECT = "Everyone", "Website redesign"


def api(server: Server, token: str, method: str, path: str, body: dict | None = None) -> Any:
    request = urllib.request.Request(
        server.http + "/api/v1" + path,
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        raw = response.read()
        return json.loads(raw) if raw else None


def space_ids(server: Server, token: str) -> dict[str, int]:
    return {s["name"]: s["id"] for s in api(server, token, "GET", "/spaces")["items"]}


class Listener:
    """A WebSocket client that keeps every message it receives."""

    def __init__(self, server: Server, token: str) -> None:
        self.server, self.token = server, token
        self.hello: dict | None = None
        self.events: list[dict] = []
        self.other: list[dict] = []
        self.close_code: int | None = None
        self.task: asyncio.Task[None] | None = None

    async def connect(self, after: int | None = None) -> Listener:
        url = self.server.ws + (f"?after={after}" if after is not None else "")
        self.socket = await websockets.connect(url, additional_headers={"Authorization": f"Bearer {self.token}"})
        first = json.loads(await asyncio.wait_for(self.socket.recv(), 5))
        assert first["kind"] == "hello", first
        self.hello = first
        self.task = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        try:
            async for raw in self.socket:
                message = json.loads(raw)
                (self.events if message["kind"] == "event" else self.other).append(message)
        except websockets.ConnectionClosed:
            pass
        self.close_code = self.socket.close_code

    async def close(self) -> None:
        await self.socket.close()
        if self.task is not None:
            await self.task

    @property
    def last_seq(self) -> int:
        return self.events[-1]["seq"] if self.events else (self.hello or {}).get("seq", 0)

    async def wait_for(self, predicate: Any, timeout: float = 5.0) -> dict:
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            for message in self.events:
                if predicate(message):
                    return message
            await asyncio.sleep(0.02)
        raise AssertionError(f"no matching event within {timeout}s; got {[e['type'] for e in self.events]}")


def post(server: Server, token: str, space_id: int, body: str) -> int:
    return api(server, token, "POST", "/posts", {"space_id": space_id, "body": body})["id"]


def created_posts(listener: Listener) -> list[int]:
    return [e["data"]["post_id"] for e in listener.events if e["type"] == "post.created"]


async def test_a_post_reaches_a_connected_member_at_once(server: Server) -> None:
    lena, diego = server.token("lena@example.com"), server.token("diego@example.com")
    spaces = space_ids(server, diego)
    listener = await Listener(server, lena).connect()
    post_id = await asyncio.to_thread(post, server, diego, spaces[EVERYONE], "Coffee at 10?")
    event = await listener.wait_for(lambda e: e["type"] == "post.created")
    assert event["data"]["post_id"] == post_id and event["data"]["author"]["full_name"] == "Diego Álvarez"
    assert event["seq"] > listener.hello["seq"]
    await listener.close()


async def test_a_guest_receives_only_the_events_of_their_spaces(server: Server) -> None:
    camille, priya = server.token("camille@example.com"), server.token("priya@client.example")
    spaces = space_ids(server, camille)
    guest = await Listener(server, priya).connect()
    hidden = await asyncio.to_thread(post, server, camille, spaces[EVERYONE], "Internal only")
    shown = await asyncio.to_thread(post, server, camille, spaces[PROJECT], "Mock-ups are ready")
    await guest.wait_for(lambda e: e["type"] == "post.created" and e["data"]["post_id"] == shown)
    assert hidden not in created_posts(guest)
    await guest.close()


async def test_reconnecting_with_the_last_number_gets_every_missed_event_once_in_order(server: Server) -> None:
    lena, diego = server.token("lena@example.com"), server.token("diego@example.com")
    spaces = space_ids(server, diego)
    first = await Listener(server, lena).connect()
    seen = first.last_seq
    await first.close()
    missed = [
        await asyncio.to_thread(post, server, diego, spaces[EVERYONE], f"While you were away {n}") for n in range(5)
    ]
    again = await Listener(server, lena).connect(after=seen)
    await again.wait_for(lambda e: e["type"] == "post.created" and e["data"]["post_id"] == missed[-1])
    assert created_posts(again) == missed
    seqs = [e["seq"] for e in again.events]
    assert seqs == sorted(set(seqs)) and seqs[0] > seen
    live = await asyncio.to_thread(post, server, diego, spaces[EVERYONE], "And now live")
    await again.wait_for(lambda e: e.get("data", {}).get("post_id") == live)
    assert created_posts(again) == [*missed, live]
    await again.close()


async def test_a_client_too_far_behind_is_told_to_resync(live_env: dict[str, str]) -> None:
    server = Server({**live_env, "ALVEOLE_LIVE_RESUME_MAX": "3"}).start(demo=True)
    try:
        lena, diego = server.token("lena@example.com"), server.token("diego@example.com")
        spaces = space_ids(server, diego)
        first = await Listener(server, lena).connect()
        seen = first.last_seq
        await first.close()
        for n in range(5):
            await asyncio.to_thread(post, server, diego, spaces[EVERYONE], f"Busy day {n}")
        again = await Listener(server, lena).connect(after=seen)
        await asyncio.sleep(0.5)
        assert any(m["kind"] == "resync" for m in again.other)
        assert again.events == []
        await again.close()
    finally:
        server.stop()


async def test_a_removed_member_stops_receiving_the_space(server: Server) -> None:
    camille, diego = server.token("camille@example.com"), server.token("diego@example.com")
    spaces = space_ids(server, camille)
    me = api(server, diego, "GET", "/me")
    listener = await Listener(server, diego).connect()
    await asyncio.to_thread(api, server, camille, "DELETE", f"/spaces/{spaces[PROJECT]}/members/{me['id']}")
    await listener.wait_for(lambda e: e["type"] == "space.member_removed")
    await asyncio.sleep(0.5)  # the server recomputes what Diego may see
    secret = await asyncio.to_thread(post, server, camille, spaces[PROJECT], "Budget after Diego left")
    control = await asyncio.to_thread(post, server, camille, spaces[EVERYONE], "Hello everyone")
    await listener.wait_for(lambda e: e.get("data", {}).get("post_id") == control)
    assert secret not in created_posts(listener)
    await listener.close()


async def test_a_deactivated_persons_socket_is_closed(server: Server) -> None:
    camille, diego = server.token("camille@example.com"), server.token("diego@example.com")
    me = api(server, diego, "GET", "/me")
    listener = await Listener(server, diego).connect()
    await asyncio.to_thread(api, server, camille, "POST", f"/members/{me['id']}/deactivate")
    assert listener.task is not None
    await asyncio.wait_for(listener.task, 5)
    assert listener.close_code == 4003


async def test_killing_the_server_loses_no_committed_event(live_env: dict[str, str]) -> None:
    """Clients connected and posting; the server is killed (-9) and restarted; after reconnecting,
    every client has every committed event it may see, exactly once, in order."""
    server = Server(live_env).start(demo=True)
    people = ["camille@example.com", "lena@example.com", "diego@example.com", "priya@client.example"]
    tokens = {p: server.token(p) for p in people}
    spaces = space_ids(server, tokens["camille@example.com"])
    listeners = [await Listener(server, tokens[p]).connect() for p in people]

    async def posts_in_db() -> list[tuple[int, str]]:
        found = []
        for space in (EVERYONE, PROJECT):
            page = await asyncio.to_thread(
                api, server, tokens["camille@example.com"], "GET", f"/spaces/{spaces[space]}/posts?limit=100"
            )
            found += [(item["id"], space) for item in page["items"] + page["pinned"]]
        return found

    before = set(await posts_in_db())

    async def poster(email: str, space: str, count: int) -> None:
        for n in range(count):
            try:
                await asyncio.to_thread(post, server, tokens[email], spaces[space], f"{email} {n}")
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass  # the server is down (whether it was committed, the database says at the end)
            await asyncio.sleep(0.03)

    try:
        posting = asyncio.gather(poster("lena@example.com", EVERYONE, 30), poster("camille@example.com", PROJECT, 30))
        await asyncio.sleep(0.6)
        server.kill()
        await asyncio.sleep(0.5)
        server.start()
        await posting
        last = {id(listener): listener.last_seq for listener in listeners}
        for listener in listeners:
            if listener.task is not None:
                await listener.task  # the old socket died with the server
        resumed = [
            await Listener(server, tokens[p]).connect(after=last[id(old)])
            for p, old in zip(people, listeners, strict=True)
        ]
        final_post = await asyncio.to_thread(post, server, tokens["camille@example.com"], spaces[PROJECT], "done")
        # What was committed is what the database holds: a post whose answer was lost in the
        # crash may still have been committed (and its event rightly delivered).
        committed = sorted(set(await posts_in_db()) - before)
        for resumed_listener in resumed:
            await resumed_listener.wait_for(lambda e: e.get("data", {}).get("post_id") == final_post)
        for email, old, new in zip(people, listeners, resumed, strict=True):
            events = old.events + new.events
            seqs = [e["seq"] for e in events]
            assert seqs == sorted(seqs) and len(seqs) == len(set(seqs)), f"{email}: out of order or duplicated"
            expected = [pid for pid, space in sorted(committed) if email != "priya@client.example" or space == PROJECT]
            got = sorted(e["data"]["post_id"] for e in events if e["type"] == "post.created")
            assert got == expected, f"{email}: missing {set(expected) - set(got)}, extra {set(got) - set(expected)}"
        for listener in resumed:
            await listener.close()
    finally:
        server.stop()


@pytest.mark.redis
async def test_two_server_processes_share_events_through_redis(live_env: dict[str, str], redis_url: str) -> None:
    env = {**live_env, "REDIS_URL": redis_url}
    first = Server(env).start(demo=True)
    second = Server(env).start()
    try:
        lena, diego = first.token("lena@example.com"), first.token("diego@example.com")
        spaces = space_ids(first, diego)
        listener = await Listener(second, lena).connect()
        post_id = await asyncio.to_thread(post, first, diego, spaces[EVERYONE], "From the other process")
        event = await listener.wait_for(lambda e: e.get("data", {}).get("post_id") == post_id)
        assert event["type"] == "post.created"
        await listener.close()
    finally:
        first.stop()
        second.stop()


async def _presence_of(listener: Listener, user_id: int, timeout: float = 3.0) -> list[str]:
    await asyncio.sleep(timeout)
    return [m["state"] for m in listener.other if m.get("type") == "presence" and m["user_id"] == user_id]


async def test_presence_follows_sockets_and_guests_see_only_their_spaces_people(server: Server) -> None:
    tokens = {p: server.token(p) for p in ("lena@example.com", "diego@example.com", "sam@example.com",
                                           "camille@example.com", "priya@client.example")}  # fmt: skip
    ids = {p: api(server, t, "GET", "/me")["id"] for p, t in tokens.items()}
    lena = await Listener(server, tokens["lena@example.com"]).connect()
    priya = await Listener(server, tokens["priya@client.example"]).connect()
    diego = await Listener(server, tokens["diego@example.com"]).connect()
    sam = await Listener(server, tokens["sam@example.com"]).connect()
    await diego.socket.send(json.dumps({"type": "presence", "state": "away"}))
    await asyncio.sleep(0.5)
    states = api(server, tokens["lena@example.com"], "GET", f"/presence?user_id={ids['diego@example.com']}")
    assert states == [{"user_id": ids["diego@example.com"], "state": "away"}]
    await diego.close()
    assert await _presence_of(lena, ids["diego@example.com"]) == ["online", "away", "offline"]
    # Priya (a guest) shares "Website redesign" with Diego, not with Sam (an admin outside it).
    assert await _presence_of(priya, ids["diego@example.com"], 0) == ["online", "away", "offline"]
    assert await _presence_of(priya, ids["sam@example.com"], 0) == []
    hidden = api(server, tokens["priya@client.example"], "GET", f"/presence?user_id={ids['sam@example.com']}")
    assert hidden == []
    await sam.close()
    await lena.close()
    await priya.close()
