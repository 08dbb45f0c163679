"""Space pages and their actions, through the role matrix."""

from __future__ import annotations

import pytest
from django.urls import reverse

from alveole.spaces import actions
from alveole.spaces.models import Space, SpaceMembership, SpaceRole


def _url(name: str, space: Space, *args: object) -> str:
    return reverse(name, args=[space.pk, *args])


# --- list and create -------------------------------------------------------------------------


def test_spaces_list_shows_mine_and_joinable(world, client_for) -> None:
    html = client_for(world.nonmember).get(reverse("spaces")).content.decode()
    assert "Everyone" in html and _url("space_join", world.open_space) in html
    assert "Client project" not in html
    assert "Globex team" not in html


def test_spaces_search(world, client_for) -> None:
    client = client_for(world.member)
    html = client.get(reverse("spaces"), {"q": "client"}).content.decode()
    main = html.split('<main id="main"')[1]
    assert "Client project" in main
    assert _url("space_detail", world.open_space) not in main


def test_guest_sees_only_their_spaces_and_nothing_to_join(world, client_for) -> None:
    html = client_for(world.guest).get(reverse("spaces")).content.decode()
    assert "Client project" in html
    assert _url("space_detail", world.open_space) not in html
    assert "Open spaces you can join" not in html


def test_create_space(world, client_for) -> None:
    response = client_for(world.member).post(
        reverse("space_create"), {"name": "Launch", "description": "", "kind": "project", "visibility": "private"}
    )
    space = Space.objects.get(name="Launch")
    assert response.status_code == 302 and response["Location"] == _url("space_detail", space)
    assert SpaceMembership.objects.get(space=space).user == world.member


def test_create_space_bad_input_is_400_and_writes_nothing(world, client_for) -> None:
    response = client_for(world.member).post(
        reverse("space_create"), {"name": " ", "kind": "galaxy", "visibility": "open"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "id_name_error" in html and "aria-describedby" in html
    assert Space.objects.count() == 3


def test_guest_cannot_create_spaces(world, client_for) -> None:
    client = client_for(world.guest)
    assert client.get(reverse("space_create")).status_code == 403
    response = client.post(reverse("space_create"), {"name": "Mine", "kind": "team", "visibility": "open"})
    assert response.status_code == 403
    assert not Space.objects.filter(name="Mine").exists()


# --- the space page ---------------------------------------------------------------------------


def test_space_page_for_a_member(world, client_for) -> None:
    response = client_for(world.member).get(_url("space_detail", world.private_space))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Client project" in html and "No posts yet" in html
    assert "avatar tone-" in html
    assert _url("space_leave", world.private_space) in html
    assert _url("space_settings", world.private_space) not in html  # not a manager


def test_space_page_for_a_manager_has_settings(world, client_for) -> None:
    html = client_for(world.owner).get(_url("space_detail", world.private_space)).content.decode()
    assert _url("space_settings", world.private_space) in html


@pytest.mark.parametrize(
    ("role", "space_name", "status"),
    [
        ("guest", "open_space", 404),
        ("nonmember", "private_space", 404),
        ("admin", "private_space", 404),
        ("other", "open_space", 404),
        ("other", "private_space", 404),
        ("nonmember", "open_space", 200),
        ("guest", "private_space", 200),
    ],
)
def test_who_sees_which_space(world, client_for, role: str, space_name: str, status: int) -> None:
    space = getattr(world, space_name)
    for page in ("space_detail", "space_members"):
        assert client_for(world.user(role)).get(_url(page, space)).status_code == status


def test_missing_space_is_404(world, client_for) -> None:
    assert client_for(world.owner).get(reverse("space_detail", args=[999999])).status_code == 404


def test_other_organisation_gets_404_on_every_action(world, client_for) -> None:
    client = client_for(world.other)
    space = world.open_space
    for name in ("space_join", "space_leave", "space_star", "space_archive", "space_unarchive", "space_member_add"):
        assert client.post(_url(name, space)).status_code == 404, name
    assert client.post(_url("space_member_remove", space, world.member.pk)).status_code == 404
    assert SpaceMembership.objects.filter(space=space).count() == 2
    assert world.open_space.archived_at is None


# --- join, leave, star ------------------------------------------------------------------------


def test_join_and_leave_open_space(world, client_for) -> None:
    client = client_for(world.nonmember)
    assert client.post(_url("space_join", world.open_space)).status_code == 302
    assert SpaceMembership.objects.filter(space=world.open_space, user=world.nonmember).exists()
    assert client.post(_url("space_leave", world.open_space)).status_code == 302
    assert not SpaceMembership.objects.filter(space=world.open_space, user=world.nonmember).exists()


def test_join_needs_post(world, client_for) -> None:
    assert client_for(world.nonmember).get(_url("space_join", world.open_space)).status_code == 405


def test_last_manager_cannot_leave(world, client_for) -> None:
    response = client_for(world.owner).post(_url("space_leave", world.private_space))
    assert response.status_code == 409
    assert "at least one manager" in response.content.decode()
    assert SpaceMembership.objects.filter(space=world.private_space, user=world.owner).exists()


def test_star_space(world, client_for) -> None:
    client = client_for(world.member)
    assert client.post(_url("space_star", world.open_space), {"starred": "on"}).status_code == 302
    assert SpaceMembership.objects.get(space=world.open_space, user=world.member).starred
    assert client.post(_url("space_star", world.open_space), {"starred": ""}).status_code == 302
    assert not SpaceMembership.objects.get(space=world.open_space, user=world.member).starred


def test_star_without_membership_is_409(world, client_for) -> None:
    assert client_for(world.nonmember).post(_url("space_star", world.open_space), {"starred": "on"}).status_code == 409


def test_star_next_cannot_redirect_off_site(world, client_for) -> None:
    response = client_for(world.member).post(
        _url("space_star", world.open_space), {"starred": "on", "next": "https://evil.example/"}
    )
    assert response["Location"] == _url("space_detail", world.open_space)


# --- members ----------------------------------------------------------------------------------


def test_members_page_lists_roles_and_add_form_for_managers(world, client_for) -> None:
    html = client_for(world.owner).get(_url("space_members", world.private_space)).content.decode()
    assert "Mia Member" in html and "Gina Guest" in html
    assert _url("space_member_add", world.private_space) in html
    assert f'value="{world.nonmember.pk}"' in html  # can be added
    assert f'<option value="{world.member.pk}"' not in html.split('id="id_user"')[1].split("</select>")[0]


def test_members_page_has_no_controls_for_members(world, client_for) -> None:
    html = client_for(world.member).get(_url("space_members", world.private_space)).content.decode()
    assert _url("space_member_add", world.private_space) not in html
    assert _url("space_member_remove", world.private_space, world.guest.pk) not in html


def test_add_change_and_remove_member(world, client_for) -> None:
    client = client_for(world.owner)
    space = world.private_space
    response = client.post(_url("space_member_add", space), {"user": world.nonmember.pk, "role": "member"})
    assert response.status_code == 302
    assert SpaceMembership.objects.filter(space=space, user=world.nonmember).exists()
    response = client.post(_url("space_member_role", space, world.nonmember.pk), {"role": "manager"})
    assert response.status_code == 302
    assert SpaceMembership.objects.get(space=space, user=world.nonmember).role == SpaceRole.MANAGER
    response = client.post(_url("space_member_remove", space, world.nonmember.pk))
    assert response.status_code == 302
    assert not SpaceMembership.objects.filter(space=space, user=world.nonmember).exists()


def test_add_someone_of_another_organisation_is_400(world, client_for) -> None:
    response = client_for(world.owner).post(
        _url("space_member_add", world.private_space), {"user": world.other.pk, "role": "member"}
    )
    assert response.status_code == 400
    assert not SpaceMembership.objects.filter(user=world.other, space=world.private_space).exists()


def test_guest_cannot_be_made_manager(world, client_for) -> None:
    response = client_for(world.owner).post(
        _url("space_member_role", world.private_space, world.guest.pk), {"role": "manager"}
    )
    assert response.status_code == 400
    assert "Guests cannot manage a space." in response.content.decode()
    assert SpaceMembership.objects.get(space=world.private_space, user=world.guest).role == SpaceRole.MEMBER


def test_members_cannot_manage_members(world, client_for) -> None:
    client = client_for(world.member)
    response = client.post(_url("space_member_add", world.open_space), {"user": world.nonmember.pk, "role": "member"})
    assert response.status_code == 403
    response = client.post(_url("space_member_remove", world.private_space, world.guest.pk))
    assert response.status_code == 403
    assert SpaceMembership.objects.filter(space=world.private_space, user=world.guest).exists()


def test_removing_the_last_manager_is_409(world, client_for) -> None:
    response = client_for(world.owner).post(_url("space_member_remove", world.private_space, world.owner.pk))
    assert response.status_code == 409


# --- settings and archiving -------------------------------------------------------------------


def test_settings_are_for_managers(world, client_for) -> None:
    assert client_for(world.owner).get(_url("space_settings", world.open_space)).status_code == 200
    assert client_for(world.admin).get(_url("space_settings", world.open_space)).status_code == 200  # org admin
    assert client_for(world.member).get(_url("space_settings", world.open_space)).status_code == 403
    response = client_for(world.member).post(
        _url("space_settings", world.open_space), {"name": "Hijack", "kind": "team", "visibility": "open"}
    )
    assert response.status_code == 403
    world.open_space.refresh_from_db()
    assert world.open_space.name == "Everyone"


def test_update_space(world, client_for) -> None:
    response = client_for(world.owner).post(
        _url("space_settings", world.open_space),
        {"name": "All hands", "description": "News", "kind": "team", "visibility": "open"},
    )
    assert response.status_code == 302
    world.open_space.refresh_from_db()
    assert world.open_space.name == "All hands"


def test_update_space_with_bad_input_is_400(world, client_for) -> None:
    response = client_for(world.owner).post(
        _url("space_settings", world.open_space), {"name": "x" * 81, "kind": "team", "visibility": "everyone"}
    )
    assert response.status_code == 400
    world.open_space.refresh_from_db()
    assert world.open_space.name == "Everyone"


def test_archive_makes_the_space_read_only(world, client_for) -> None:
    client = client_for(world.owner)
    space = world.private_space
    assert client.post(_url("space_archive", space)).status_code == 302
    space.refresh_from_db()
    assert space.archived_at is not None
    html = client.get(_url("space_detail", space)).content.decode()
    assert "archived" in html and _url("space_leave", space) not in html
    members = client.get(_url("space_members", space)).content.decode()
    assert _url("space_member_add", space) not in members
    assert _url("space_member_remove", space, world.guest.pk) not in members
    settings_html = client.get(_url("space_settings", space)).content.decode()
    assert _url("space_unarchive", space) in settings_html
    response = client.post(_url("space_member_add", space), {"user": world.nonmember.pk, "role": "member"})
    assert response.status_code == 409
    response = client.post(_url("space_settings", space), {"name": "Changed", "kind": "team", "visibility": "open"})
    assert response.status_code == 409
    space.refresh_from_db()
    assert space.name == "Client project"
    assert client.post(_url("space_unarchive", space)).status_code == 302
    space.refresh_from_db()
    assert space.archived_at is None


def test_member_cannot_archive(world, client_for) -> None:
    assert client_for(world.member).post(_url("space_archive", world.open_space)).status_code == 403
    world.open_space.refresh_from_db()
    assert world.open_space.archived_at is None


def test_nav_lists_starred_spaces_first(world, client_for) -> None:
    actions.star_space(world.member, space=world.open_space, starred=True)
    html = client_for(world.member).get(reverse("home")).content.decode()
    nav = html.split('class="nav-spaces"')[1].split("</ul>")[0]
    assert nav.index("Everyone") < nav.index("Client project")
