"""What a socket may receive is recomputed in batches, with the same rule as visible_spaces."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from alveole.realtime.dispatch import CLOSE_CODE_DEACTIVATED, Connection, Dispatcher, load_access, load_access_many
from alveole.spaces.access import visible_spaces
from alveole.spaces.models import SpaceMembership
from alveole.spaces.people import people_visible_to, sees

pytestmark = pytest.mark.django_db(transaction=True)


async def in_a_worker_thread(coro) -> None:
    """Run `coro`, then close the database connection its sync_to_async thread opened
    (left open, it keeps PostgreSQL from dropping the test database)."""
    try:
        await coro
    finally:
        await sync_to_async(connections.close_all)()


def people(world):
    return [world.owner, world.admin, world.member, world.nonmember, world.guest, world.other]


def test_the_batch_gives_each_person_what_visible_spaces_gives(world):
    states = load_access_many([p.pk for p in people(world)])
    for person in people(world):
        state = states[person.pk]
        assert state is not None
        guest, visible, member, admin = state
        assert guest == person.is_guest and admin == person.is_org_admin
        assert visible == set(visible_spaces(person).values_list("pk", flat=True)), person
        assert member == set(SpaceMembership.objects.filter(user=person).values_list("space_id", flat=True))
    guest_state, member_state = states[world.guest.pk], states[world.member.pk]
    assert guest_state is not None and member_state is not None
    assert guest_state[1] == {world.private_space.pk}
    assert world.other_space.pk not in member_state[1]


def test_the_batch_costs_three_queries_however_many_people(world):
    with CaptureQueriesContext(connection) as ctx:
        load_access_many([p.pk for p in people(world)])
    assert len(ctx.captured_queries) == 3


def test_deactivated_and_unknown_people_get_nothing(world):
    world.member.is_active = False
    world.member.save(update_fields=["is_active"])
    assert load_access(world.member.pk) is None
    assert load_access_many([10**9]) == {10**9: None}


def test_a_sweep_narrows_sockets_whose_access_changed_without_an_event(world):
    dispatcher = Dispatcher()
    state = load_access(world.member.pk)
    assert state is not None
    conn = Connection(
        user_id=world.member.pk, org_id=world.org.pk, is_guest=False, spaces=set(state[1]), member_spaces=set(state[2])
    )
    gone = Connection(
        user_id=world.nonmember.pk, org_id=world.org.pk, is_guest=False, spaces=set(), member_spaces=set()
    )
    # Changed behind the live layer's back (no event), as the safety net must catch.
    SpaceMembership.objects.filter(space=world.private_space, user=world.member).delete()
    world.nonmember.is_active = False
    world.nonmember.save(update_fields=["is_active"])
    asyncio.run(in_a_worker_thread(dispatcher.refresh([conn, gone])))
    assert world.private_space.pk not in conn.spaces and world.open_space.pk in conn.spaces
    assert gone.close_code == CLOSE_CODE_DEACTIVATED


def test_pings_keep_presence_alive_in_one_batch(world, monkeypatch):
    from alveole.live import presence

    presence.connected(world.org.pk, world.member.pk)
    presence.connected(world.org.pk, world.admin.pk)
    touched: list[tuple[int, int]] = []
    monkeypatch.setattr(presence, "refresh", lambda org_id, user_id: touched.append((org_id, user_id)))
    dispatcher = Dispatcher()
    for _ in range(3):  # three tabs of the same person, and someone else
        dispatcher.pinged.add((world.org.pk, world.member.pk))
    dispatcher.pinged.add((world.org.pk, world.admin.pk))
    monkeypatch.setattr("alveole.realtime.dispatch.PRESENCE_BATCH_SECONDS", 0.01)

    async def one_batch() -> None:
        task = asyncio.create_task(dispatcher._keep_presence_forever())
        await asyncio.sleep(0.2)
        task.cancel()

    asyncio.run(in_a_worker_thread(one_batch()))
    assert sorted(touched) == sorted([(world.org.pk, world.member.pk), (world.org.pk, world.admin.pk)])
    assert dispatcher.pinged == set()
    assert presence.states(world.org.pk, [world.member.pk])[world.member.pk] == "online"


def test_presence_follows_the_people_directory_rule(world):
    """Who may see whose presence on the live layer (spaces.people.sees, on loaded access) is exactly
    people_visible_to: admins see guests they share no space with; members see a guest only through a
    shared space."""
    states = load_access_many([p.pk for p in people(world)])
    for viewer in people(world):
        directory = set(people_visible_to(viewer).values_list("pk", flat=True))
        for subject in people(world):
            if subject.organisation_id != viewer.organisation_id or subject.pk == viewer.pk:
                continue
            seer, seen = states[viewer.pk], states[subject.pk]
            assert seer is not None and seen is not None
            assert sees(seer, seen) == (subject.pk in directory), (viewer, subject)
