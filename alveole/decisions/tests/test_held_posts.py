"""A vote lives in a post, and follows the feed's rule (feed.access.visible_posts): while its post is
held for validation (or refused, hidden, deleted), or is confidential for a guest, nobody else reads
its question — not through the poll's page or API, the votes awaiting them, the calendar, the
decision log, an export, a reminder, nor a live event."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from alveole.core.errors import NotFound
from alveole.decisions import actions, jobs, selectors
from alveole.decisions.access import get_decision_for, get_poll_for, get_proposal_for
from alveole.decisions.models import Decision
from alveole.exports.jobs import collect
from alveole.factories import MembershipFactory
from alveole.feed.actions import approve_post
from alveole.feed.models import Post, Review
from alveole.live.models import Audience, Event
from alveole.notifications.models import Notification
from alveole.projects import calendar
from alveole.spaces.models import HeldFor, Label

pytestmark = pytest.mark.django_db

QUESTION = "Shall we move the offsite to Lisbon?"


@pytest.fixture
def scene(world):
    """Every post of the private space but its manager's (Olivia) waits for validation. Mia and Noah
    are members; Gina is a guest."""
    MembershipFactory.create(space=world.private_space, user=world.nonmember)
    space = world.private_space
    space.hold_posts = space.hold_comments = HeldFor.EVERYONE
    space.save()
    return world


def _poll(world, *, hours: int = 48):
    closes_at = timezone.now() + datetime.timedelta(hours=hours)
    return actions.create_poll(world.member, space=world.private_space, question=QUESTION,
                               options=["Yes", "No"], closes_at=closes_at)  # fmt: skip


def _sees_poll(person, poll) -> bool:
    try:
        get_poll_for(person, poll.pk)
    except NotFound:
        return False
    return True


def _awaiting(person) -> list[int]:
    return [p.pk for p in selectors.awaiting_my_vote(person).polls]


def _in_calendar(person) -> bool:
    return QUESTION in calendar.build(person).decode()


def test_a_held_poll_is_read_by_its_author_and_moderators_only_until_approved(scene, api_client_for):
    poll = _poll(scene)
    assert Post.objects.get(pk=poll.post_id).review == Review.HELD
    noah = scene.nonmember

    assert _sees_poll(scene.member, poll) and _sees_poll(scene.owner, poll)
    assert not _sees_poll(noah, poll)
    assert api_client_for(noah).get(f"/api/v1/polls/{poll.pk}").status_code == 404
    voted = api_client_for(noah).post(
        f"/api/v1/polls/{poll.pk}/vote", {"option_ids": [poll.options.all()[0].pk]}, content_type="application/json"
    )
    assert voted.status_code == 404
    # Not news yet, even for those who may read it.
    assert _awaiting(noah) == [] and _awaiting(scene.owner) == []
    assert not _in_calendar(noah) and not _in_calendar(scene.owner)
    assert QUESTION not in api_client_for(noah).get("/api/v1/awaiting-my-vote").content.decode()

    approve_post(scene.owner, post=Post.objects.get(pk=poll.post_id))

    assert _sees_poll(noah, poll)
    assert api_client_for(noah).get(f"/api/v1/polls/{poll.pk}").status_code == 200
    assert _awaiting(noah) == [poll.pk]
    assert _in_calendar(noah)


def test_a_held_proposal_is_not_read_by_other_members(scene):
    proposal = actions.create_proposal(scene.member, space=scene.private_space, statement=QUESTION,
                                       closes_at=timezone.now() + datetime.timedelta(days=2))  # fmt: skip
    with pytest.raises(NotFound):
        get_proposal_for(scene.nonmember, proposal.pk)
    assert selectors.awaiting_my_vote(scene.nonmember).proposals == []
    assert get_proposal_for(scene.owner, proposal.pk) == proposal


def test_a_held_poll_closes_at_its_deadline_told_only_to_those_who_see_it(scene):
    poll = _poll(scene, hours=1)
    before = Event.objects.order_by("-seq").values_list("seq", flat=True).first() or 0

    [decision] = actions.close_due(timezone.now() + datetime.timedelta(hours=2))

    told = Event.objects.filter(seq__gt=before)
    assert told.exists()
    assert not told.exclude(audience=Audience.USER).exists()  # never the whole space
    assert set(told.values_list("user_id", flat=True)) == {scene.member.pk, scene.owner.pk}
    # The decision log, the key decisions and the export leave it out while the post is held.
    space = scene.private_space
    assert list(selectors.space_decisions(scene.nonmember, space)) == []
    assert list(selectors.key_decisions(scene.nonmember)) == []
    with pytest.raises(NotFound):
        get_decision_for(scene.nonmember, decision.pk)
    assert list(selectors.space_decisions(scene.member, space)) == [decision]
    data, _files = collect(space, confidential=True)
    assert data["decisions"] == []

    approve_post(scene.owner, post=Post.objects.get(pk=poll.post_id))

    assert list(selectors.space_decisions(scene.nonmember, space)) == [decision]
    assert get_decision_for(scene.nonmember, decision.pk) == decision
    data, _files = collect(space, confidential=True)
    assert [d["title"] for d in data["decisions"]] == [QUESTION]


def test_a_held_vote_is_not_reminded_until_approved(scene):
    poll = _poll(scene, hours=12)
    assert jobs.remind() == 0
    assert not Notification.objects.filter(post_id=poll.post_id).exists()

    approve_post(scene.owner, post=Post.objects.get(pk=poll.post_id))

    assert jobs.remind() > 0
    told = set(Notification.objects.filter(post_id=poll.post_id).values_list("user_id", flat=True))
    assert scene.nonmember.pk in told


def test_a_vote_in_a_deleted_post_is_neither_closed_nor_in_the_log(world):
    poll = actions.create_poll(world.owner, space=world.private_space, question=QUESTION, options=["Yes", "No"],
                               closes_at=timezone.now() + datetime.timedelta(hours=1))  # fmt: skip
    Post.objects.filter(pk=poll.post_id).update(deleted_at=timezone.now())
    assert actions.close_due(timezone.now() + datetime.timedelta(hours=2)) == []
    assert not Decision.objects.exists()


def test_a_poll_in_a_confidential_post_is_invisible_to_a_guest(world, api_client_for):
    """The backstop (a guest is never let near confidential content, spaces.labels): a guest left in the
    space when a post was raised, as a demotion could leave one."""
    poll = actions.create_poll(world.owner, space=world.private_space, question=QUESTION, options=["Yes", "No"],
                               closes_at=timezone.now() + datetime.timedelta(hours=12))  # fmt: skip
    secret = Label.objects.get(organisation=world.org, restricted=True)
    Post.objects.filter(pk=poll.post_id).update(label=secret)
    guest = world.guest

    assert _sees_poll(world.member, poll) and _awaiting(world.member) == [poll.pk]
    assert not _sees_poll(guest, poll)
    assert api_client_for(guest).get(f"/api/v1/polls/{poll.pk}").status_code == 404
    assert _awaiting(guest) == []
    assert not _in_calendar(guest)
    jobs.remind()
    assert not Notification.objects.filter(user=guest, post_id=poll.post_id).exists()
    assert Notification.objects.filter(user=world.member, post_id=poll.post_id).exists()

    [decision] = actions.close_due(timezone.now() + datetime.timedelta(hours=13))
    assert list(selectors.key_decisions(guest)) == []
    with pytest.raises(NotFound):
        get_decision_for(guest, decision.pk)
    assert get_decision_for(world.member, decision.pk) == decision
