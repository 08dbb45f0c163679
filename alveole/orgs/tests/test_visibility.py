"""Guests see only their spaces and the people in them; organisations never meet."""

from __future__ import annotations

import pytest

from alveole.spaces.access import visible_spaces
from alveole.spaces.people import people_visible_to

pytestmark = pytest.mark.django_db


def test_guests_see_only_their_spaces(world):
    assert set(visible_spaces(world.guest)) == {world.private_space}


def test_members_see_open_spaces_and_their_private_ones(world):
    assert set(visible_spaces(world.nonmember)) == {world.open_space}
    assert set(visible_spaces(world.member)) == {world.open_space, world.private_space}
    assert set(visible_spaces(world.admin)) == {world.open_space}


def test_guests_see_only_the_people_of_their_spaces(world):
    assert set(people_visible_to(world.guest)) == {world.owner, world.member, world.guest}


def test_members_see_guests_only_when_they_share_a_space(world):
    assert world.guest in set(people_visible_to(world.member))
    assert world.guest not in set(people_visible_to(world.nonmember))
    assert world.guest in set(people_visible_to(world.admin))


def test_nobody_sees_another_organisation(world):
    for viewer in (world.owner, world.admin, world.member, world.guest):
        assert world.other not in set(people_visible_to(viewer))
        assert world.other_space not in set(visible_spaces(viewer))
    assert set(people_visible_to(world.other)) == {world.other}


def test_the_api_lists_follow_the_same_rules(world, api_client_for):
    guest = api_client_for(world.guest)
    names = {p["full_name"] for p in guest.get("/api/v1/members").json()["items"]}
    assert names == {"Olivia Owner", "Mia Member", "Gina Guest"}
    spaces = {s["name"] for s in guest.get("/api/v1/spaces").json()["items"]}
    assert spaces == {"Client project"}
    other = api_client_for(world.other)
    assert {s["name"] for s in other.get("/api/v1/spaces").json()["items"]} == {"Globex team"}
    for person in (world.member, world.guest, world.owner):
        assert other.get(f"/api/v1/members/{person.pk}").status_code == 404
    for space in (world.open_space, world.private_space):
        assert other.get(f"/api/v1/spaces/{space.pk}").status_code == 404
        assert other.get(f"/api/v1/spaces/{space.pk}/members").status_code == 404
