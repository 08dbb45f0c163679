"""Spaces: who may create, join, manage and archive."""

from __future__ import annotations

import pytest

from alveole.core.errors import Conflict, Invalid, NotFound, PermissionDenied
from alveole.core.models import AuditEvent
from alveole.spaces import actions
from alveole.spaces.access import can_manage, get_space_for
from alveole.spaces.models import SpaceMembership, SpaceRole, Visibility

pytestmark = pytest.mark.django_db


def test_the_creator_manages_a_new_space(world):
    space = actions.create_space(world.member, name="  Design   guild ", visibility=Visibility.PRIVATE)
    assert space.name == "Design guild"
    assert SpaceMembership.objects.get(space=space, user=world.member).role == SpaceRole.MANAGER
    assert AuditEvent.objects.filter(action="space.create", target_id=space.pk).exists()


def test_guests_cannot_create_or_join_spaces(world):
    with pytest.raises(PermissionDenied):
        actions.create_space(world.guest, name="Mine")
    with pytest.raises(PermissionDenied):
        actions.join_space(world.guest, space=world.open_space)


def test_private_spaces_cannot_be_joined_uninvited(world):
    with pytest.raises(PermissionDenied):
        actions.join_space(world.nonmember, space=world.private_space)
    with pytest.raises(NotFound):
        get_space_for(world.nonmember, world.private_space.pk)


def test_bad_fields_are_refused_with_every_reason(world):
    with pytest.raises(Invalid) as exc:
        actions.create_space(world.member, name="", kind="circus", visibility="secret")
    assert set(exc.value.fields) == {"name", "kind", "visibility"}


def test_only_managers_manage(world):
    assert can_manage(world.owner, world.private_space)
    assert not can_manage(world.member, world.private_space)
    assert not can_manage(world.guest, world.private_space)
    assert can_manage(world.admin, world.open_space)  # org admins manage the open spaces
    assert not can_manage(world.admin, world.private_space)
    assert not can_manage(world.other, world.open_space)
    with pytest.raises(PermissionDenied):
        actions.update_space(world.member, space=world.private_space, name="Hijacked")


def test_guests_never_manage(world):
    with pytest.raises(Invalid):
        actions.set_space_member_role(world.owner, space=world.private_space, user=world.guest, role=SpaceRole.MANAGER)


def test_a_space_keeps_one_manager(world):
    with pytest.raises(Conflict):
        actions.leave_space(world.owner, space=world.private_space)
    with pytest.raises(Conflict):
        actions.remove_space_member(world.owner, space=world.private_space, user=world.owner)


def test_people_of_another_organisation_cannot_be_added(world):
    with pytest.raises(NotFound):
        actions.add_space_member(world.owner, space=world.private_space, user=world.other)


def test_adding_twice_is_a_conflict_not_an_error(world):
    with pytest.raises(Conflict):
        actions.add_space_member(world.owner, space=world.private_space, user=world.member)


def test_an_archived_space_is_read_only(world):
    actions.archive_space(world.owner, space=world.private_space)
    for attempt in (
        lambda: actions.update_space(world.owner, space=world.private_space, name="x"),
        lambda: actions.add_space_member(world.owner, space=world.private_space, user=world.nonmember),
        lambda: actions.remove_space_member(world.owner, space=world.private_space, user=world.member),
    ):
        with pytest.raises(Conflict, match="archived"):
            attempt()
    # Still readable by its members.
    assert get_space_for(world.member, world.private_space.pk) == world.private_space
    actions.unarchive_space(world.owner, space=world.private_space)
    actions.update_space(world.owner, space=world.private_space, name="Back")
