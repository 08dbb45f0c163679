"""The assignee field: a people picker in front of the same select, offering only people the viewer may see."""

from __future__ import annotations

import re

import pytest

from alveole.factories import MembershipFactory
from alveole.projects import actions
from alveole.projects.models import Task
from alveole.testing import World

pytestmark = pytest.mark.django_db


def _options(html: str, name: str = "task-assignees") -> dict[str, str]:
    select = html.split(f'name="{name}"')[1].split("</select>")[0]
    return dict(re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', select))


def test_the_task_form_carries_the_picker_and_still_posts_the_same_field(world: World, client_for) -> None:
    html = client_for(world.member).get(f"/spaces/{world.private_space.pk}/tasks/").content.decode()
    assert "data-people-picker" in html and 'data-search-url="/api/v1/members"' in html
    assert 'data-input-label="Add an assignee"' in html and f'data-max="{actions.ASSIGNEES_MAX}"' in html
    assert "alveole/people-picker" in html
    assert 'id="id_task-assignees"' in html and "multiple" in html.split('name="task-assignees"')[1].split(">")[0]
    assert set(_options(html)) == {str(u.pk) for u in (world.owner, world.member, world.guest)}


def test_a_guest_is_offered_only_people_they_may_see(world: World, client_for) -> None:
    # In an open space every non-guest can read, so everyone could be assigned; but a guest may only
    # see the people they share a space with, and the choices are a list of names.
    MembershipFactory.create(space=world.open_space, user=world.guest)
    html = client_for(world.guest).get(f"/spaces/{world.open_space.pk}/tasks/").content.decode()
    offered = _options(html)
    assert set(offered) == {str(u.pk) for u in (world.owner, world.member, world.guest)}
    assert world.nonmember.full_name not in html and world.admin.full_name not in html
    # A member sees every non-guest, as before.
    member_html = client_for(world.member).get(f"/spaces/{world.open_space.pk}/tasks/").content.decode()
    assert {str(world.admin.pk), str(world.nonmember.pk)} <= set(_options(member_html))


def test_saving_a_task_keeps_an_assignee_the_editor_cannot_see(world: World, client_for) -> None:
    MembershipFactory.create(space=world.open_space, user=world.guest)
    task = actions.create_task(world.owner, space=world.open_space, title="Fix", assignee_ids=[world.nonmember.pk])
    client = client_for(world.guest)
    html = client.get(f"/tasks/{task.pk}/").content.decode()
    assert str(world.nonmember.pk) in _options(html)  # the task already shows this name
    response = client.post(
        f"/tasks/{task.pk}/",
        {"task-title": "Fix it", "task-status": "todo",
         "task-assignees": [str(world.nonmember.pk), str(world.member.pk)]},
    )  # fmt: skip
    assert response.status_code == 302
    assert set(Task.objects.get(pk=task.pk).assignees.all()) == {world.nonmember, world.member}
    # Someone who is neither visible nor assigned is still refused.
    refused = client.post(
        f"/tasks/{task.pk}/",
        {"task-title": "Fix it", "task-status": "todo", "task-assignees": [str(world.admin.pk)]},
    )
    assert refused.status_code == 400


def test_the_add_member_field_is_a_picker_over_the_same_select(world: World, client_for) -> None:
    html = client_for(world.owner).get(f"/spaces/{world.private_space.pk}/members/").content.decode()
    assert "data-people-picker" in html and 'data-input-label="Find someone to add"' in html
    assert "alveole/people-picker" in html
    select = html.split('id="id_user"')[1].split("</select>")[0]
    # The chip shows the name alone; the option, for those without the script, also the address.
    assert f'value="{world.nonmember.pk}" data-name="Noah Nonmember"' in select
    assert f"Noah Nonmember — {world.nonmember.email}" in select
    # A member who cannot manage the space gets neither the form nor the script.
    member_html = client_for(world.member).get(f"/spaces/{world.private_space.pk}/members/").content.decode()
    assert "data-people-picker" not in member_html and "people-picker.js" not in member_html
