"""Posts, comments, reactions, shares, mentions, topics, follows and reads."""

from __future__ import annotations

import pytest

from alveole.core.errors import Conflict, Invalid, PermissionDenied
from alveole.core.models import AuditEvent
from alveole.factories import MembershipFactory, SpaceFactory
from alveole.feed import actions, selectors
from alveole.feed.access import get_post_for, get_topic_for, visible_posts
from alveole.feed.models import Mention, PostRead, Reaction
from alveole.spaces.actions import archive_space
from alveole.spaces.models import Visibility

pytestmark = pytest.mark.django_db


def test_a_post_renders_markdown_and_links_topics(world):
    post, _ = actions.create_post(world.member, space=world.open_space, body="**Ship** it #Launch")
    assert "<strong>Ship</strong>" in post.body_html and 'href="/topics/launch/"' in post.body_html
    assert [t.name for t in post.topics.all()] == ["launch"]


def test_posting_needs_membership_and_an_active_space(world):
    with pytest.raises(PermissionDenied, match="Join"):
        actions.create_post(world.nonmember, space=world.open_space, body="Hi")
    archive_space(world.owner, space=world.private_space)
    with pytest.raises(Conflict, match="archived"):
        actions.create_post(world.member, space=world.private_space, body="Hi")


def test_posts_have_a_length_limit_and_cannot_be_empty(world, settings):
    settings.ALVEOLE_POST_MAX_LENGTH = 20
    with pytest.raises(Invalid, match="limit is 20"):
        actions.create_post(world.member, space=world.open_space, body="x" * 21)
    with pytest.raises(Invalid, match="Write something"):
        actions.create_post(world.member, space=world.open_space, body="   ")


def test_only_managers_make_announcements(world):
    with pytest.raises(PermissionDenied):
        actions.create_post(world.member, space=world.private_space, body="Hear ye", kind="announcement")
    post, _ = actions.create_post(world.owner, space=world.private_space, body="Hear ye", kind="announcement")
    assert post.kind == "announcement"


def test_editing_keeps_the_history(world):
    post, _ = actions.create_post(world.member, space=world.open_space, body="First")
    actions.edit_post(world.member, post=post, body="Second")
    post.refresh_from_db()
    assert post.body == "Second" and post.edited_at is not None
    assert [r.body for r in post.revisions.all()] == ["First"]
    with pytest.raises(PermissionDenied):
        actions.edit_post(world.owner, post=post, body="Not mine")


def test_deleting_is_soft_and_audited(world):
    post, _ = actions.create_post(world.member, space=world.private_space, body="Oops")
    with pytest.raises(PermissionDenied):
        actions.delete_post(world.guest, post=post)
    actions.delete_post(world.owner, post=post)  # a manager may moderate
    assert post.pk not in set(visible_posts(world.member).values_list("pk", flat=True))
    assert AuditEvent.objects.filter(action="post.delete", target_id=post.pk, actor=world.owner).exists()


def test_questions_get_an_answer(world):
    question, _ = actions.create_post(world.guest, space=world.private_space, body="Where?", kind="question")
    first, _ = actions.create_comment(world.member, post=question, body="Here")
    second, _ = actions.create_comment(world.owner, post=question, body="There")
    actions.mark_answer(world.guest, comment=first)
    actions.mark_answer(world.guest, comment=second)
    first.refresh_from_db()
    question.refresh_from_db()
    assert not first.is_answer and question.answered_at is not None
    with pytest.raises(PermissionDenied):
        actions.mark_answer(world.member, comment=first)


def test_replies_are_one_level_deep_and_counted(world):
    post, _ = actions.create_post(world.member, space=world.open_space, body="Thoughts?")
    top, _ = actions.create_comment(world.owner, post=post, body="One")
    reply, _ = actions.create_comment(world.member, post=post, body="Two", parent=top)
    deeper, _ = actions.create_comment(world.owner, post=post, body="Three", parent=reply)
    assert deeper.parent_id == top.pk
    post.refresh_from_db()
    assert post.comment_count == 3
    actions.delete_comment(world.owner, comment=deeper)
    post.refresh_from_db()
    assert post.comment_count == 2


def test_a_reaction_toggles_and_switches(world):
    post, _ = actions.create_post(world.member, space=world.open_space, body="Yay")
    actions.react(world.owner, post=post, kind="like")
    actions.react(world.owner, post=post, kind="🚀")
    assert Reaction.objects.get(post=post, user=world.owner).kind == "🚀"
    assert actions.react(world.owner, post=post, kind="🚀") is None
    post.refresh_from_db()
    assert post.reaction_count == 0
    with pytest.raises(Invalid):
        actions.react(world.owner, post=post, kind="angry-face")


def test_a_reaction_is_exactly_one_emoji_of_the_unicode_set(world):
    post, _ = actions.create_post(world.member, space=world.open_space, body="Yay")

    def stored(kind: str) -> str | None:
        reaction = actions.react(world.owner, post=post, kind=kind)
        return reaction.kind if reaction else None

    # The former kinds' names still work and are stored as their emoji.
    assert stored("celebrate") == "🎉"
    # Any emoji the package knows, sequences and skin tones included.
    for emoji in ("🦩", "👍🏽", "👩‍💻", "🇫🇷", "🏳️‍🌈"):
        assert stored(emoji) == emoji
    # The unqualified heart is the same reaction as the fully qualified one.
    assert stored("\u2764") == "\u2764\ufe0f"
    assert stored("\u2764\ufe0f") is None  # toggled off: one reaction
    for bad in ("", "  ", "🚀🚀", "🚀 ok", "a", "#", "1", "\U0001f3fd", "🦰", ":rocket:", "x" * 200):
        with pytest.raises(Invalid, match="exactly one emoji"):
            actions.react(world.owner, post=post, kind=bad)
    assert not Reaction.objects.filter(post=post).exists()


def test_the_live_event_carries_the_counts_in_the_bars_order(world):
    from alveole.live.models import Event

    post, _ = actions.create_post(world.member, space=world.open_space, body="Yay")
    actions.react(world.owner, post=post, kind="🚀")
    actions.react(world.member, post=post, kind="🚀")
    actions.react(world.nonmember, post=post, kind="like")
    event = Event.objects.filter(type="reaction.changed").order_by("-seq").first()
    assert event is not None
    assert event.data["kind"] == "👍" and event.data["user_id"] == world.nonmember.pk
    assert event.data["reactions"] == {"🚀": 2, "👍": 1}
    assert event.data["order"] == ["🚀", "👍"] and event.data["reaction_count"] == 3


def test_mentions_notify_only_people_who_can_see_the_space(world):
    world.nonmember.handle, world.member.handle = "noah", "mia"
    world.nonmember.save()
    world.member.save()
    post, report = actions.create_post(world.owner, space=world.private_space, body="@mia and @noah, look")
    assert report.reached == [world.member] and report.unreachable == [world.nonmember]
    assert "Noah Nonmember" in report.warning
    assert set(Mention.objects.filter(post=post).values_list("user_id", flat=True)) == {world.member.pk}


def test_at_space_mentions_every_member(world):
    post, _ = actions.create_post(world.owner, space=world.private_space, body="@space meeting at 3")
    assert set(Mention.objects.filter(post=post).values_list("user_id", flat=True)) == {world.member.pk, world.guest.pk}


def test_a_share_never_widens_access(world):
    secret, _ = actions.create_post(world.owner, space=world.private_space, body="Client budget: 40k")
    # The member can see both spaces and shares the private post into the open one.
    share, _ = actions.share_post(world.member, post=secret, space=world.open_space, body="FYI")
    items = {i.post.pk: i for i in selectors.assemble(world.nonmember, [get_post_for(world.nonmember, share.pk)])}
    assert items[share.pk].original is None and items[share.pk].original_unavailable
    items = {i.post.pk: i for i in selectors.assemble(world.member, [get_post_for(world.member, share.pk)])}
    assert items[share.pk].original == secret


def test_content_of_a_space_with_guests_stays_with_its_members(world):
    open_with_guest = SpaceFactory.create(organisation=world.org, visibility=Visibility.OPEN)
    MembershipFactory.create(space=open_with_guest, user=world.member)
    MembershipFactory.create(space=open_with_guest, user=world.guest)
    original, _ = actions.create_post(world.member, space=open_with_guest, body="Shared with the client")
    share, _ = actions.share_post(world.member, post=original, space=world.open_space)
    # The non-member could open the open space itself, but not through a share.
    item = selectors.assemble(world.nonmember, [get_post_for(world.nonmember, share.pk)])[0]
    assert item.original_unavailable


def test_follows_feed_the_home_feed(world):
    profile_post, _ = actions.create_post(world.member, space=None, body="Thinking out loud")
    home = selectors.home_posts(world.nonmember)
    assert profile_post not in home
    actions.follow(world.nonmember, person=world.member)
    assert profile_post in selectors.home_posts(world.nonmember)
    assert profile_post in selectors.home_posts(world.nonmember, filter="following")
    actions.unfollow(world.nonmember, person=world.member)
    assert profile_post not in selectors.home_posts(world.nonmember)


def test_guests_never_see_profile_posts(world):
    profile_post, _ = actions.create_post(world.member, space=None, body="Thinking out loud")
    assert profile_post not in visible_posts(world.guest)
    with pytest.raises(PermissionDenied):
        actions.create_post(world.guest, space=None, body="Hello")


def test_topic_follows_bring_posts_from_open_spaces(world):
    post, _ = actions.create_post(world.member, space=world.open_space, body="News about #hiring")
    topic = get_topic_for(world.admin, "hiring")
    actions.follow(world.admin, topic=topic)
    assert post in selectors.home_posts(world.admin)


def test_reads_are_recorded_once_and_only_for_visible_posts(world):
    visible, _ = actions.create_post(world.member, space=world.open_space, body="Read me")
    hidden, _ = actions.create_post(world.owner, space=world.private_space, body="Not for you")
    assert actions.record_reads(world.nonmember, post_ids=[visible.pk, hidden.pk, visible.pk]) == 1
    actions.record_reads(world.nonmember, post_ids=[visible.pk])
    assert list(PostRead.objects.filter(user=world.nonmember).values_list("post_id", flat=True)) == [visible.pk]
    [item] = selectors.assemble(world.nonmember, [visible])
    assert not item.unread
    top = selectors.top_posts(world.nonmember, by="read", period="week")
    assert top == [visible]


def test_mentions_filter_shows_what_mentions_me(world):
    world.member.handle = "mia"
    world.member.save()
    mention, _ = actions.create_post(world.owner, space=world.open_space, body="ping @mia")
    actions.create_post(world.owner, space=world.open_space, body="no ping")
    assert list(selectors.home_posts(world.member, filter="mentions")) == [mention]


def feed_actions_create(author, space, body):
    return actions.create_post(author, space=space, body=body)
