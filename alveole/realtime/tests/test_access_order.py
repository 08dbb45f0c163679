"""Each event is filtered with the rights in force at its own number.

These run the real path inside one process: actions commit in Django's threads, the memory hub
hands their events to a real Dispatcher on this event loop, and sockets are its Connections.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.db import connection, connections

from alveole.feed import actions as feed
from alveole.live.hubs import MemoryHub
from alveole.realtime.dispatch import Connection, Dispatcher, load_access
from alveole.spaces import actions as spaces
from alveole.spaces.models import Space, Visibility

pytestmark = pytest.mark.django_db(transaction=True)


def received(conn: Connection) -> list[dict[str, Any]]:
    """Everything in the socket's queue so far (what its writer would send)."""
    out = []
    while not conn.queue.empty():
        raw = conn.queue.get_nowait()
        if raw is not None:
            out.append(json.loads(raw))
    return out


async def settle(dispatcher: Dispatcher) -> None:
    """Let pending deliveries and rights refreshes finish."""
    for _ in range(200):
        await asyncio.sleep(0.005)
        if not dispatcher.paused and not dispatcher.held:
            return
    raise AssertionError("the dispatcher did not settle")


async def live_socket(dispatcher: Dispatcher, user_id: int, org_id: int) -> Connection:
    state = await sync_to_async(load_access)(user_id)
    assert state is not None
    conn = Connection(
        user_id=user_id, org_id=org_id, is_guest=state[0], spaces=set(state[1]), member_spaces=set(state[2])
    )
    await dispatcher.track(org_id)
    dispatcher.register(conn)
    conn.go_live(dispatcher.expected[org_id] - 1)
    return conn


def run(scenario: Callable[[Dispatcher], Any]) -> None:
    async def main() -> None:
        dispatcher, hub = Dispatcher(), MemoryHub()
        await hub.start(dispatcher)
        from alveole.live import hubs

        previous, hubs._hub = hubs._hub, hub
        try:
            await scenario(dispatcher)
        finally:
            hubs._hub = previous
            for task in dispatcher.tasks:
                task.cancel()
            await sync_to_async(connections.close_all)()

    asyncio.run(main())


def test_a_socket_opened_before_a_space_is_created_receives_its_events(world):
    async def scenario(dispatcher: Dispatcher) -> None:
        member = await live_socket(dispatcher, world.member.pk, world.org.pk)
        guest = await live_socket(dispatcher, world.guest.pk, world.org.pk)
        creator = await live_socket(dispatcher, world.nonmember.pk, world.org.pk)

        def create_and_post() -> tuple[int, int]:
            opened = spaces.create_space(world.owner, name="Launch", visibility=Visibility.OPEN)
            closed = spaces.create_space(world.nonmember, name="Secret", visibility=Visibility.PRIVATE)
            feed.create_post(world.owner, space=opened, body="first in the open space")
            feed.create_post(world.nonmember, space=closed, body="first in the private space")
            return opened.pk, closed.pk

        opened, closed = await sync_to_async(create_and_post)()
        await settle(dispatcher)
        posts = {
            name: {e["space"] for e in received(conn) if e["type"] == "post.created"}
            for name, conn in (("member", member), ("guest", guest), ("creator", creator))
        }
        assert posts["member"] == {opened}  # an open space: every member, at once
        assert posts["creator"] == {opened, closed}  # their own private space too
        assert posts["guest"] == set()  # guests only see spaces they were added to

    run(scenario)


def test_a_guest_added_to_a_space_receives_its_next_event(world):
    async def scenario(dispatcher: Dispatcher) -> None:
        guest = await live_socket(dispatcher, world.guest.pk, world.org.pk)
        space = await sync_to_async(Space.objects.get)(pk=world.open_space.pk)

        def add_and_post() -> None:
            spaces.add_space_member(world.owner, space=space, user=world.guest)
            feed.create_post(world.member, space=space, body="welcome")

        await sync_to_async(add_and_post)()
        await settle(dispatcher)
        assert [e["space"] for e in received(guest) if e["type"] == "post.created"] == [space.pk]

    run(scenario)


RACE_ROUNDS = 200


def test_no_event_after_a_removal_reaches_the_removed_person(world):
    """The removal and a post in the same space, committed at the same time 200 times (PostgreSQL),
    and back to back in both orders: the removed person's socket never gets an event numbered after
    their removal. (The test database on SQLite is shared-cache memory, which refuses concurrent
    writers outright; there the 200 rounds run back to back.)"""

    async def scenario(dispatcher: Dispatcher) -> None:
        space = await sync_to_async(Space.objects.get)(pk=world.private_space.pk)
        await sync_to_async(spaces.add_space_member)(world.owner, space=space, user=world.nonmember)
        await asyncio.sleep(0)
        removed = await live_socket(dispatcher, world.nonmember.pk, world.org.pk)
        await settle(dispatcher)
        leaks, removals, posts_seen, concurrent_rounds = [], 0, 0, 0
        concurrent = connection.vendor != "sqlite"
        back_to_back = 40 if concurrent else RACE_ROUNDS
        rounds = back_to_back + (RACE_ROUNDS if concurrent else 0)
        for n in range(rounds):
            # First back to back in one thread (their events reach the dispatcher in one burst),
            # then in two threads at once (either may commit first).
            if n < back_to_back:

                def both(n: int = n) -> None:
                    if n % 4 == 3:
                        feed.create_post(world.member, space=space, body=f"right before {n}")
                    spaces.remove_space_member(world.owner, space=space, user=world.nonmember)
                    feed.create_post(world.member, space=space, body=f"right after {n}")

                await sync_to_async(both)()
            else:
                concurrent_rounds += 1
                await asyncio.gather(
                    sync_to_async(spaces.remove_space_member, thread_sensitive=False)(
                        world.owner, space=space, user=world.nonmember
                    ),
                    sync_to_async(feed.create_post, thread_sensitive=False)(
                        world.member, space=space, body=f"at the same time {n}"
                    ),
                )
            await settle(dispatcher)
            events = received(removed)
            removal = [e["seq"] for e in events if e["type"] == "space.member_removed"]
            assert len(removal) == 1, events
            removals += 1
            posts_seen += sum(1 for e in events if e["type"] == "post.created")
            leaks += [e for e in events if e["seq"] > removal[0]]
            await sync_to_async(spaces.add_space_member)(world.owner, space=space, user=world.nonmember)
            await settle(dispatcher)
            received(removed)  # the re-add and anything after it are legitimately theirs
        assert removals == rounds
        assert concurrent_rounds == (RACE_ROUNDS if concurrent else 0)
        assert leaks == []
        # Not vacuous: posts committed before the removal did reach the socket in some rounds.
        assert posts_seen > 0

    run(scenario)
