"""Notifications that help instead of flooding, and the catch-up page."""

from __future__ import annotations

import pytest

from alveole.factories import MembershipFactory, UserFactory
from alveole.feed import actions as feed
from alveole.live.models import Event
from alveole.notifications import actions, selectors
from alveole.notifications.models import Kind, Notification
from alveole.spaces.actions import add_space_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """Run the jobs an action queues after commit (the suite's job backend runs them in-process)."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def test_reactions_on_a_post_are_grouped_in_one_line(world, run_jobs):
    post, _ = feed.create_post(world.member, space=world.open_space, body="Launch day!")
    fans = [UserFactory.create(organisation=world.org, full_name=f"Fan {n}") for n in range(3)]
    for fan in fans:
        MembershipFactory.create(space=world.open_space, user=fan)
    for person in [world.owner, *fans]:
        run_jobs(feed.react, person, post=post, kind="like")
    [line] = Notification.objects.filter(user=world.member)
    assert line.kind == Kind.REACTION and line.actor_count == 4
    assert selectors.describe(line) == "Fan 2 and 3 others reacted to your post"


def test_mentions_and_replies_notify_the_right_people(world, run_jobs):
    world.member.handle = "mia"
    world.member.save()
    post, _ = run_jobs(feed.create_post, world.owner, space=world.private_space, body="@mia can you look?")
    comment, _ = run_jobs(feed.create_comment, world.member, post=post, body="On it")
    run_jobs(feed.create_comment, world.guest, post=post, body="Thanks!", parent=comment)
    assert set(Notification.objects.filter(user=world.member).values_list("kind", flat=True)) == {"mention", "reply"}
    owner_reply = Notification.objects.get(user=world.owner, kind=Kind.REPLY)
    assert owner_reply.actor_count == 2  # Mia and Gina replied to Olivia's post
    assert not Notification.objects.filter(user=world.guest).exists()


def test_being_added_to_a_space_is_notified(world, run_jobs):
    run_jobs(add_space_member, world.owner, space=world.private_space, user=world.nonmember)
    line = Notification.objects.get(user=world.nonmember)
    assert selectors.describe(line) == "Olivia Owner added you to Client project"


def test_muted_kinds_and_spaces_stay_quiet(world, run_jobs):
    actions.update_settings(world.member, muted_kinds=["reaction"])
    post, _ = feed.create_post(world.member, space=world.open_space, body="Quiet please")
    run_jobs(feed.react, world.owner, post=post, kind="like")
    assert not Notification.objects.filter(user=world.member).exists()
    actions.set_space_muted(world.member, space=world.open_space, muted=True)
    run_jobs(feed.create_comment, world.owner, post=post, body="Nice")
    assert not Notification.objects.filter(user=world.member).exists()


def test_the_unread_count_is_published_live_and_reading_resets_it(world, run_jobs):
    post, _ = feed.create_post(world.member, space=world.open_space, body="Hi")
    run_jobs(feed.react, world.owner, post=post, kind="like")
    event = Event.objects.filter(type="notifications.changed", user=world.member).latest("seq")
    assert event.audience == "user" and event.data["unread"] == 1
    assert selectors.unread_count(world.member) == 1
    actions.mark_all_read(world.member)
    assert selectors.unread_count(world.member) == 0
    assert Event.objects.filter(type="notifications.changed", user=world.member).latest("seq").data["unread"] == 0


def test_bad_settings_are_refused_with_reasons(world):
    from alveole.core.errors import Invalid

    with pytest.raises(Invalid) as exc:
        actions.update_settings(world.member, muted_kinds=["everything"], email_mode="hourly", work_days=[9])
    assert set(exc.value.fields) == {"muted_kinds", "email_mode", "work_days"}


def test_catch_up_shows_what_concerns_me_first_and_marks_it_read(world, run_jobs):
    world.member.handle = "mia"
    world.member.save()
    busy, _ = feed.create_post(world.owner, space=world.open_space, body="Busy thread")
    for n in range(3):
        feed.create_comment(world.owner, post=busy, body=f"comment {n}")
    about_me, _ = run_jobs(feed.create_post, world.owner, space=world.private_space, body="@mia please review")
    page = selectors.catch_up(world.member)
    assert page.spaces[0].space == world.private_space and page.spaces[0].for_me == [about_me]
    assert busy in page.spaces[1].busiest
    actions.finish_catch_up(world.member, post_ids=page.post_ids)
    again = selectors.catch_up(world.member)
    assert again.spaces == [] and selectors.unread_count(world.member) == 0


def test_what_arrives_while_the_catch_up_is_open_is_not_skipped(world):
    page = selectors.catch_up(world.member)
    late, _ = feed.create_post(world.owner, space=world.open_space, body="Posted while you were reading")
    actions.finish_catch_up(world.member, post_ids=page.post_ids, until=page.until)
    assert any(late in group.busiest for group in selectors.catch_up(world.member).spaces)


def test_catch_up_lists_votes_awaiting_me_decisions_and_deadlines(world):
    from datetime import timedelta

    from django.utils import timezone

    from alveole.decisions import actions as decisions
    from alveole.projects import actions as projects

    soon = timezone.now() + timedelta(days=2)
    open_poll = decisions.create_poll(world.owner, space=world.private_space, question="Friday?",
                                      options=["Yes", "No"], closes_at=soon)  # fmt: skip
    done = decisions.create_poll(world.owner, space=world.private_space, question="Venue?",
                                 options=["A", "B"], closes_at=soon)  # fmt: skip
    decision = decisions.close_poll(world.owner, poll=done, outcome="Venue A")
    tomorrow = timezone.localdate() + timedelta(days=1)
    task = projects.create_task(
        world.owner, space=world.private_space, title="Book the room", assignee_ids=[world.member.pk], due_date=tomorrow
    )
    page = selectors.catch_up(world.member)
    assert open_poll in page.votes and decision in page.decisions and task in page.deadlines
    decisions.vote(world.member, poll=open_poll, option_ids=[open_poll.options.all()[0].pk])
    assert open_poll not in selectors.catch_up(world.member).votes
    # Nothing of a space the viewer cannot see.
    assert selectors.catch_up(world.nonmember).votes == []
