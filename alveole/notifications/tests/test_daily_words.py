"""What the notifications and catch-up say (issue 15, item 8): counts that match, the right verb."""

from __future__ import annotations

import pytest

from alveole.feed import actions as feed
from alveole.notifications import selectors
from alveole.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def test_a_comment_on_my_post_is_announced_as_a_comment(world, run_jobs):
    post, _ = feed.create_post(world.member, space=world.open_space, body="Launch day!")
    run_jobs(feed.create_comment, world.owner, post=post, body="Congratulations")
    line = Notification.objects.get(user=world.member, kind=Kind.REPLY)
    assert selectors.describe(line) == "Olivia Owner commented on your post"


def test_an_answer_to_my_comment_is_announced_as_a_reply(world, run_jobs):
    post, _ = feed.create_post(world.owner, space=world.open_space, body="Lunch on Friday?")
    mine, _ = feed.create_comment(world.member, post=post, body="Yes, at noon")
    run_jobs(feed.create_comment, world.owner, post=post, body="Noon it is", parent=mine)
    line = Notification.objects.get(user=world.member, kind=Kind.REPLY)
    assert selectors.describe(line) == "Olivia Owner replied to you"


def test_a_spaces_new_post_count_matches_the_posts_it_lists(world, run_jobs):
    world.member.handle = "mia"
    world.member.save()
    for n in range(3):
        feed.create_post(world.owner, space=world.open_space, body=f"News {n}")
    run_jobs(feed.create_post, world.owner, space=world.open_space, body="@mia a question for you")
    page = selectors.catch_up(world.member)
    [group] = [g for g in page.spaces if g.space == world.open_space]
    assert len(group.for_me) == 1  # shown under "For you"
    assert group.new_posts == len(group.busiest) == 3
