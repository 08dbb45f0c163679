"""The batch form of `can_manage` gives what it gives, space by space, for every role."""

from __future__ import annotations

import pytest

from alveole.spaces.access import can_manage, managed_among
from alveole.spaces.models import Space

pytestmark = pytest.mark.django_db


def test_managed_among_equals_can_manage_for_every_role(world):
    spaces = list(Space.objects.all())
    people = [world.owner, world.admin, world.member, world.nonmember, world.guest, world.other]
    for person in people:
        expected = {space.pk for space in spaces if can_manage(person, space)}
        assert managed_among(person, spaces) == expected, person
    assert managed_among(world.owner, spaces)  # not vacuous: the owner manages some
