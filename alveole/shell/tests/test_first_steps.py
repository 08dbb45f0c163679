"""The home page's first steps: which list each role gets, when a step counts as done, dismissal."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alveole.accounts.models import Role
from alveole.factories import MembershipFactory, OrganisationFactory, SpaceFactory, UserFactory
from alveole.feed.actions import create_post, record_reads
from alveole.notifications.actions import dismiss_first_steps, finish_catch_up, set_space_muted, update_settings
from alveole.orgs.actions import create_organisation, invite_member, update_organisation
from alveole.shell.demo import DEMO_ORG
from alveole.shell.first_steps import Step, steps_for
from alveole.spaces.actions import archive_space
from alveole.spaces.models import Visibility


def _done(steps: list[Step]) -> dict[str, bool]:
    return {s.label: s.done for s in steps}


def _demo_owner():
    """An owner as the demo makes one: the organisation carries the demo's placeholder name."""
    return create_organisation(name=DEMO_ORG, owner_email="camille@example.com", owner_name="Camille", password=None)


def test_admins_get_the_organisation_set_up(world) -> None:
    for admin in (world.owner, world.admin):
        steps = steps_for(admin)
        assert [s.label for s in steps] == ["Name your organisation", "Create a space", "Invite colleagues"]
        assert [s.url for s in steps] == [reverse("org_settings"), reverse("space_create"), reverse("org_invitations")]
        assert all(s.help for s in steps)


def test_an_organisation_named_by_createorg_is_named_from_the_start(db) -> None:
    owner = create_organisation(name="Acme", owner_email="olivia@example.com", owner_name="Olivia", password=None)
    assert _done(steps_for(owner)) == {
        "Name your organisation": True,
        "Create a space": False,
        "Invite colleagues": False,
    }


def test_the_demo_name_is_named_once_the_settings_are_saved(db) -> None:
    owner = _demo_owner()
    assert _done(steps_for(owner))["Name your organisation"] is False
    # Saving the settings page counts, even when the owner keeps the name they were given.
    update_organisation(owner, name=DEMO_ORG, require_mfa_for_admins=False)
    assert _done(steps_for(owner))["Name your organisation"] is True


def test_renaming_the_demo_names_it(db) -> None:
    owner = _demo_owner()
    update_organisation(owner, name="Hexagone & Co")
    assert _done(steps_for(owner))["Name your organisation"] is True


def test_a_settings_save_without_the_name_does_not_name_it(db) -> None:
    owner = _demo_owner()
    update_organisation(owner, require_mfa_for_admins=True)  # the API can send the two-factor switch alone
    assert _done(steps_for(owner))["Name your organisation"] is False


def test_another_organisations_settings_do_not_count(db) -> None:
    owner = _demo_owner()
    stranger = create_organisation(name="Globex", owner_email="oscar@example.com", owner_name="Oscar", password=None)
    update_organisation(stranger, name="Globex Inc")
    assert _done(steps_for(owner))["Name your organisation"] is False


def test_admin_steps_follow_spaces_and_invitations(db) -> None:
    owner = _demo_owner()
    assert _done(steps_for(owner))["Create a space"] is False
    SpaceFactory.create(organisation=owner.organisation)
    invite_member(owner, email="nina@example.com", role=Role.MEMBER)
    assert _done(steps_for(owner)) == {
        "Name your organisation": False,
        "Create a space": True,
        "Invite colleagues": True,
    }


def test_admin_steps_ignore_another_organisation(db) -> None:
    owner = _demo_owner()
    other = create_organisation(name="Globex", owner_email="oscar@example.com", owner_name="Oscar", password=None)
    SpaceFactory.create(organisation=other.organisation)
    invite_member(other, email="nina@example.com", role=Role.MEMBER)
    assert _done(steps_for(owner)) == {
        "Name your organisation": False,
        "Create a space": False,
        "Invite colleagues": False,
    }


def test_a_new_member_gets_their_own_way_in(world) -> None:
    steps = steps_for(world.nonmember)
    assert [s.label for s in steps] == ["Join a space", "Write your first post", "Set your notifications"]
    assert [s.url for s in steps] == [reverse("spaces"), reverse("post_create"), reverse("notification_settings")]
    assert not any(s.done for s in steps)
    assert "Install" not in " ".join(s.label for s in steps)  # not until the app can be installed


def test_member_steps_are_done_one_by_one(world) -> None:
    person = world.nonmember
    MembershipFactory.create(space=world.open_space, user=person)
    assert _done(steps_for(person)) == {
        "Join a space": True,
        "Write your first post": False,
        "Set your notifications": False,
    }
    create_post(person, space=world.open_space, body="Hello, I am new here.")
    assert _done(steps_for(person))["Write your first post"] is True
    update_settings(person, email_mode="daily")
    assert all(s.done for s in steps_for(person))


def test_muting_a_space_sets_notifications(world) -> None:
    set_space_muted(world.member, space=world.open_space, muted=True)
    assert _done(steps_for(world.member))["Set your notifications"] is True


def test_a_catch_up_is_not_a_notification_choice(world) -> None:
    finish_catch_up(world.member, post_ids=[])  # writes the settings row, without a choice in it
    assert _done(steps_for(world.member))["Set your notifications"] is False


def test_an_archived_space_is_not_a_space_joined(world) -> None:
    person = world.nonmember
    space = SpaceFactory.create(organisation=world.org, visibility=Visibility.OPEN)
    MembershipFactory.create(space=space, user=person)
    archive_space(world.owner, space=space)
    assert _done(steps_for(person))["Join a space"] is False


def test_a_deleted_post_is_not_a_first_post(world) -> None:
    from alveole.feed.actions import delete_post

    post, _ = create_post(world.nonmember, space=None, body="On my profile.")
    assert _done(steps_for(world.nonmember))["Write your first post"] is True
    delete_post(world.nonmember, post=post)
    assert _done(steps_for(world.nonmember))["Write your first post"] is False


def test_a_guest_is_shown_their_space_to_open(world) -> None:
    steps = steps_for(world.guest)
    assert [s.label for s in steps] == ["Open your space", "Write your first post", "Set your notifications"]
    assert steps[0].url == reverse("space_detail", args=[world.private_space.pk])
    assert not any(s.done for s in steps)
    post, _ = create_post(world.member, space=world.private_space, body="Welcome, Gina.")
    record_reads(world.guest, post_ids=[post.pk])
    assert _done(steps_for(world.guest))["Open your space"] is True


def test_a_guest_without_a_space_is_sent_home(world) -> None:
    guest = UserFactory.create(organisation=world.org, role=Role.GUEST)
    assert steps_for(guest)[0].url == reverse("home")


def test_one_persons_doings_are_not_anothers(world) -> None:
    create_post(world.member, space=world.open_space, body="Mine.")
    update_settings(world.member, email_mode="daily")
    assert _done(steps_for(world.nonmember)) == {
        "Join a space": False,
        "Write your first post": False,
        "Set your notifications": False,
    }


def test_dismissing_empties_the_list_for_that_person_only(world) -> None:
    dismiss_first_steps(world.member)
    assert steps_for(world.member) == []
    assert len(steps_for(world.nonmember)) == 3
    dismiss_first_steps(world.owner)
    assert steps_for(world.owner) == []
    assert len(steps_for(world.admin)) == 3


def test_dismissing_keeps_the_notification_choices(world) -> None:
    update_settings(world.member, email_mode="weekly")
    dismiss_first_steps(world.member)
    dismiss_first_steps(world.member)  # twice is harmless
    from alveole.notifications.access import settings_of

    prefs = settings_of(world.member)
    assert prefs.email_mode == "weekly" and prefs.first_steps_dismissed_at is not None


@pytest.mark.parametrize("role", ["owner", "member", "guest"])
def test_steps_cost_one_query_however_much_there_is(world, role) -> None:
    viewer = world.user(role)
    org = OrganisationFactory.create()
    for n in range(5):
        space = SpaceFactory.create(organisation=world.org, visibility=Visibility.OPEN)
        MembershipFactory.create(space=space, user=viewer)
        create_post(viewer, space=space, body=f"Post {n}")
        SpaceFactory.create(organisation=org)
    viewer.refresh_from_db()  # nothing cached on the instance: the organisation is read by the query
    with CaptureQueriesContext(connection) as ctx:
        steps = steps_for(viewer)
    assert len(steps) == 3
    assert len(ctx.captured_queries) == 1, [q["sql"] for q in ctx.captured_queries]


def test_the_hide_button_dismisses_and_goes_home(world, client_for) -> None:
    url = reverse("first_steps_dismiss")
    assert reverse("account_login") in client_for(None).post(url)["Location"] and steps_for(world.member)
    client = client_for(world.member)
    assert client.get(url).status_code == 405  # a change of state only through the form
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert steps_for(world.member) == []


def _home_html(viewer, rf) -> str:
    """The home template with the first steps of `viewer`, as the home view passes them."""
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.shortcuts import render

    from alveole.feed.forms import PostForm

    request = rf.get("/")
    request.user = viewer
    request.session = {}
    request._messages = FallbackStorage(request)
    steps = steps_for(viewer)
    context = {
        "steps": steps,
        "steps_left": sum(1 for s in steps if not s.done),
        "my_spaces": [],
        "feed_filter": "all",
        "is_first_page": True,
        "form": PostForm(spaces=[], followers=True),
    }
    return render(request, "core/home.html", context).content.decode()


def test_the_home_page_lists_a_members_steps_with_a_hide_button(world, rf) -> None:
    html = _home_html(world.nonmember, rf)
    assert "First steps" in html and "3 steps left to find your way around." in html
    assert reverse("spaces") in html and reverse("notification_settings") in html
    assert f'action="{reverse("first_steps_dismiss")}"' in html
    assert "to get your organisation going" in _home_html(world.owner, rf)


def test_the_home_page_hides_the_steps_when_all_are_done_or_dismissed(world, rf) -> None:
    update_settings(world.member, email_mode="daily")
    create_post(world.member, space=world.open_space, body="Done with the steps.")
    assert "First steps" not in _home_html(world.member, rf)
    dismiss_first_steps(world.nonmember)
    assert "First steps" not in _home_html(world.nonmember, rf)


def test_the_migration_counts_earlier_saves_but_not_catch_ups(world) -> None:
    from importlib import import_module

    from django.apps import apps
    from django.utils import timezone

    from alveole.notifications.models import NotificationSettings

    migration = import_module("alveole.notifications.migrations.0004_first_steps")
    now = timezone.now()
    rows = {
        "saved": NotificationSettings.objects.create(user=world.owner),
        "caught_up": NotificationSettings.objects.create(user=world.admin, caught_up_at=now),
        "caught_up_daily": NotificationSettings.objects.create(user=world.member, caught_up_at=now, email_mode="daily"),
        "caught_up_muted": NotificationSettings.objects.create(
            user=world.nonmember, caught_up_at=now, muted_kinds=["reaction"]
        ),
        "caught_up_weekend": NotificationSettings.objects.create(user=world.guest, caught_up_at=now, work_days=[5, 6]),
    }
    migration.mark_saved_settings(apps, None)
    saved = {name for name, row in rows.items() if NotificationSettings.objects.get(pk=row.pk).saved_at}
    assert saved == {"saved", "caught_up_daily", "caught_up_muted", "caught_up_weekend"}
