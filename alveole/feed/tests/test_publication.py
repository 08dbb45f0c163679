"""Publication after validation: a held item is settled once (two moderators, or a deletion, racing),
it is news from its approval on (catch-up, digests), and what it holds (mentions, deletion) reaches
nobody before then."""

from __future__ import annotations

import datetime
import json

import pytest
import time_machine
from django.utils import timezone

from alveole.core.errors import Conflict
from alveole.core.models import AuditEvent
from alveole.factories import MembershipFactory
from alveole.feed import actions as feed_actions
from alveole.feed.models import Comment, Post, Review
from alveole.feed.selectors import home_posts
from alveole.live.models import Event
from alveole.mail.selectors import digest_for
from alveole.moderation import actions
from alveole.moderation.access import get_held_comment_for, get_held_post_for
from alveole.notifications.access import settings_of
from alveole.notifications.models import Kind, Notification
from alveole.notifications.selectors import catch_up
from alveole.realtime.ws import backlog
from alveole.spaces.access import visible_spaces
from alveole.spaces.models import HeldFor, SpaceMembership

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def scene(world):
    """The private space holds the guest's posts and comments; Olivia (owner) manages it, Mia is a member
    who joined long ago."""
    SpaceMembership.objects.filter(space=world.private_space).update(joined_at=timezone.now() - 60 * DAY)
    space = world.private_space
    space.hold_posts = space.hold_comments = HeldFor.GUESTS
    space.save()
    return world


def _latest_seq() -> int:
    return Event.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def _live(person, after: int) -> list[dict]:
    spaces = set(visible_spaces(person).values_list("pk", flat=True))
    messages, _last, _resync = backlog(person.pk, person.organisation_id, person.is_guest, spaces, after)
    return [m for m in map(json.loads, messages) if m["type"].startswith(("post.", "comment."))]


def _caught_up(person, at: datetime.datetime) -> None:
    prefs = settings_of(person)
    prefs.caught_up_at = at
    prefs.save()


# --- settled once -------------------------------------------------------------------------------------


def test_two_moderators_approving_at_once_count_tell_and_publish_once(scene):
    MembershipFactory.create(space=scene.private_space, user=scene.nonmember, role="manager")
    post, _ = feed_actions.create_post(scene.owner, space=scene.private_space, body="Plan for May")
    comment, _ = feed_actions.create_comment(scene.guest, post=post, body="Looks good")
    # Both pages were loaded while it waited.
    first = get_held_comment_for(scene.owner, comment.pk)
    second = get_held_comment_for(scene.nonmember, comment.pk)
    start = _latest_seq()
    actions.approve_item(scene.owner, comment=first)
    with pytest.raises(Conflict, match="in the meantime"):
        actions.approve_item(scene.nonmember, comment=second)
    with pytest.raises(Conflict):
        actions.refuse_item(scene.nonmember, comment=second, reason="Too late")
    assert Post.objects.get(pk=post.pk).comment_count == 1
    comment.refresh_from_db()
    assert (comment.review, comment.reviewed_by_id, comment.refusal_reason) == (Review.PUBLISHED, scene.owner.pk, "")
    assert AuditEvent.objects.filter(action__startswith="review.").count() == 1
    assert Notification.objects.filter(user=scene.guest, kind=Kind.REVIEW).count() == 1
    assert [m["type"] for m in _live(scene.member, start)] == ["comment.created"]


def test_a_post_approved_twice_is_a_conflict(scene):
    post, _ = feed_actions.create_post(scene.guest, space=scene.private_space, body="Hello")
    stale = get_held_post_for(scene.owner, post.pk)
    actions.approve_item(scene.owner, post=get_held_post_for(scene.owner, post.pk))
    with pytest.raises(Conflict):
        actions.refuse_item(scene.owner, post=stale, reason="Spam")
    post.refresh_from_db()
    assert (post.review, post.refusal_reason) == (Review.PUBLISHED, "")
    assert AuditEvent.objects.filter(action__startswith="review.").count() == 1


def test_approving_a_comment_its_author_deleted_meanwhile_counts_nothing(scene):
    post, _ = feed_actions.create_post(scene.owner, space=scene.private_space, body="Plan for May")
    comment, _ = feed_actions.create_comment(scene.guest, post=post, body="Oops")
    stale = get_held_comment_for(scene.owner, comment.pk)
    feed_actions.delete_comment(scene.guest, comment=Comment.objects.get(pk=comment.pk))
    with pytest.raises(Conflict):
        actions.approve_item(scene.owner, comment=stale)
    assert Post.objects.get(pk=post.pk).comment_count == 0
    assert Comment.objects.get(pk=comment.pk).review == Review.HELD
    assert not AuditEvent.objects.filter(action__startswith="review.").exists()


def test_deleting_a_comment_approved_since_it_was_read_uncounts_it(scene):
    post, _ = feed_actions.create_post(scene.owner, space=scene.private_space, body="Plan for May")
    comment, _ = feed_actions.create_comment(scene.guest, post=post, body="Fine")
    stale = Comment.objects.get(pk=comment.pk)  # the author's page, before the approval
    actions.approve_item(scene.owner, comment=get_held_comment_for(scene.owner, comment.pk))
    assert Post.objects.get(pk=post.pk).comment_count == 1
    feed_actions.delete_comment(scene.guest, comment=stale)
    assert Post.objects.get(pk=post.pk).comment_count == 0


def test_deleting_a_held_comment_is_heard_only_by_those_who_saw_it(scene):
    post, _ = feed_actions.create_post(scene.owner, space=scene.private_space, body="Plan for May")
    comment, _ = feed_actions.create_comment(scene.guest, post=post, body="Never mind")
    start = _latest_seq()
    feed_actions.delete_comment(scene.guest, comment=comment)
    assert _live(scene.member, start) == []
    for person in (scene.guest, scene.owner):
        assert [m["type"] for m in _live(person, start)] == ["comment.deleted"], person


# --- news from the approval on --------------------------------------------------------------------------


def test_published_at_is_the_creation_or_the_approval(scene):
    post, _ = feed_actions.create_post(scene.member, space=scene.private_space, body="Published at once")
    assert post.published_at == post.created_at
    held, _ = feed_actions.create_post(scene.guest, space=scene.private_space, body="Waits")
    assert held.published_at is None
    refused, _ = feed_actions.create_post(scene.guest, space=scene.private_space, body="Refused")
    actions.refuse_item(scene.owner, post=get_held_post_for(scene.owner, refused.pk), reason="No")
    assert Post.objects.get(pk=refused.pk).published_at is None
    actions.approve_item(scene.owner, post=get_held_post_for(scene.owner, held.pk))
    held.refresh_from_db()
    assert held.published_at is not None and held.published_at > held.created_at


def test_a_post_held_for_two_days_is_news_when_approved(scene):
    with time_machine.travel(timezone.now() - 2 * DAY):
        post, _ = feed_actions.create_post(scene.guest, space=scene.private_space, body="Waited two days")
        old, _ = feed_actions.create_post(scene.owner, space=scene.private_space, body="Old news")
    since = timezone.now() - DAY
    _caught_up(scene.member, since)
    assert post.pk not in catch_up(scene.member).post_ids
    actions.approve_item(scene.owner, post=get_held_post_for(scene.owner, post.pk))
    found = catch_up(scene.member)
    assert post.pk in found.post_ids and old.pk not in found.post_ids
    [group] = found.spaces
    assert group.new_posts == 1
    digest = digest_for(scene.member, since=since)
    assert [b.post.pk for b in digest.busiest] == [post.pk]


def test_a_comment_held_for_two_days_is_news_when_approved(scene):
    with time_machine.travel(timezone.now() - 3 * DAY):
        post, _ = feed_actions.create_post(scene.owner, space=scene.private_space, body="Plan for May")
    with time_machine.travel(timezone.now() - 2 * DAY):
        comment, _ = feed_actions.create_comment(scene.guest, post=post, body="Looks good")
    since = timezone.now() - DAY
    _caught_up(scene.member, since)
    assert digest_for(scene.member, since=since).busiest == []
    actions.approve_item(scene.owner, comment=get_held_comment_for(scene.owner, comment.pk))
    assert post.pk in catch_up(scene.member).post_ids
    [busy] = digest_for(scene.member, since=since).busiest
    assert (busy.post.pk, busy.activity) == (post.pk, 1)


def test_a_mention_in_a_held_comment_waits_for_its_approval(scene):
    with time_machine.travel(timezone.now() - 3 * DAY):
        post, _ = feed_actions.create_post(scene.owner, space=scene.private_space, body="Plan for May")
    with time_machine.travel(timezone.now() - 2 * DAY):
        comment, _ = feed_actions.create_comment(scene.guest, post=post, body=f"@{scene.member.handle} look")
    _caught_up(scene.member, timezone.now() - 3 * DAY)  # the mention row was written within the window
    assert post.pk not in catch_up(scene.member).post_ids
    assert not home_posts(scene.member, filter="mentions").filter(pk=post.pk).exists()
    _caught_up(scene.member, timezone.now() - DAY)
    actions.approve_item(scene.owner, comment=get_held_comment_for(scene.owner, comment.pk))
    found = catch_up(scene.member)
    assert [p.pk for s in found.spaces for p in s.for_me] == [post.pk]
    assert home_posts(scene.member, filter="mentions").filter(pk=post.pk).exists()
