"""An archived space is read-only: one check (`check_space_open_for_changes`), the same sentence and
status from every app that adds or changes something in a space."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from alveole.core.errors import Conflict
from alveole.decisions import actions as decisions
from alveole.decisions.models import Poll, Proposal
from alveole.feed import actions as feed
from alveole.feed.models import Post
from alveole.mail import actions as mail
from alveole.projects import actions as projects
from alveole.spaces import actions as spaces
from alveole.spaces.access import check_space_open_for_changes
from alveole.spaces.models import Space

pytestmark = pytest.mark.django_db

ARCHIVED = "This space is archived and read-only."


def test_an_active_space_and_a_profile_post_are_open(world):
    check_space_open_for_changes(world.private_space)
    check_space_open_for_changes(world.private_space, restore_hint=True)
    check_space_open_for_changes(None)  # a profile post has no space to archive


def test_an_archived_space_is_a_conflict(world):
    spaces.archive_space(world.owner, space=world.private_space)
    with pytest.raises(Conflict) as refused:
        check_space_open_for_changes(world.private_space)
    assert (refused.value.status, refused.value.message) == (409, ARCHIVED)
    with pytest.raises(Conflict) as refused:
        check_space_open_for_changes(world.private_space, restore_hint=True)
    assert refused.value.message == f"{ARCHIVED} A manager can restore it first."


def test_every_app_refuses_an_archived_space_the_same_way(world):
    space = world.private_space
    post, _ = feed.create_post(world.member, space=space, body="Before the archive")
    closes_at = timezone.now() + datetime.timedelta(days=2)
    poll = decisions.create_poll(world.owner, space=space, question="Which day?", options=["Mon", "Tue"],
                                 closes_at=closes_at)  # fmt: skip
    proposal = decisions.create_proposal(world.owner, space=space, statement="Ship", closes_at=closes_at)
    spaces.archive_space(world.owner, space=space)
    # As a request would find them: loaded after the archive, not the instances made above.
    post = Post.objects.select_related("space").get(pk=post.pk)
    poll = Poll.objects.select_related("space").get(pk=poll.pk)
    proposal = Proposal.objects.select_related("space").get(pk=proposal.pk)
    space = Space.objects.get(pk=space.pk)
    attempts = {
        "post": lambda: feed.create_post(world.member, space=space, body="Hi"),
        "comment": lambda: feed.create_comment(world.member, post=post, body="Hi"),
        "reaction": lambda: feed.react(world.member, post=post),
        "vote": lambda: decisions.vote(world.member, poll=poll, option_ids=[poll.options.all()[0].pk]),
        "answer": lambda: decisions.respond(world.member, proposal=proposal, answer="agree"),
        "task": lambda: projects.create_task(world.owner, space=space, title="Hi"),
        "space address": lambda: mail.enable_space_address(world.owner, space=space),
    }
    for what, attempt in attempts.items():
        with pytest.raises(Conflict) as refused:
            attempt()
        assert refused.value.message == ARCHIVED, what
    with pytest.raises(Conflict) as refused:
        spaces.update_space(world.owner, space=space, name="Renamed")
    assert refused.value.message == f"{ARCHIVED} A manager can restore it first."
