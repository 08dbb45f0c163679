"""Validation before publication: a space's policy (who may post and comment, whose posts and comments
wait), the one visibility rule for held and refused items, and the queue that approves or refuses them."""

from __future__ import annotations

import datetime
import json

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alveole.core.errors import Conflict, Invalid, NotFound, PermissionDenied
from alveole.core.models import AuditEvent
from alveole.factories import MembershipFactory
from alveole.feed import actions as feed_actions
from alveole.feed import policies
from alveole.feed.access import get_post_for, visible_comments, visible_posts
from alveole.feed.models import Comment, Post, Review
from alveole.feed.selectors import assemble, space_posts
from alveole.live.models import Event
from alveole.moderation import actions
from alveole.moderation.access import get_held_comment_for, get_held_post_for
from alveole.moderation.selectors import held_queue
from alveole.notifications.models import Kind, Notification
from alveole.notifications.selectors import catch_up, describe
from alveole.realtime.ws import backlog
from alveole.spaces.access import membership_of, visible_spaces
from alveole.spaces.models import Contributors, HeldFor, SpaceMembership

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(world):
    """The private space holds guests' posts and comments. Olivia (owner) manages it; Mia and Noah are
    members (Noah joined long ago too); Gina is a guest."""
    MembershipFactory.create(space=world.private_space, user=world.nonmember)
    SpaceMembership.objects.filter(space=world.private_space).update(
        joined_at=timezone.now() - datetime.timedelta(days=60)
    )
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


# --- the rule -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("held_for", "who", "held"),
    [
        (HeldFor.NOBODY, "guest", False),
        (HeldFor.GUESTS, "guest", True),
        (HeldFor.GUESTS, "member", False),
        (HeldFor.NEWCOMERS, "guest", True),
        (HeldFor.NEWCOMERS, "member", False),
        (HeldFor.EVERYONE, "member", True),
        (HeldFor.EVERYONE, "owner", False),  # the space's manager
    ],
)
def test_whose_posts_and_comments_are_held(scene, held_for, who, held):
    space = scene.private_space
    space.hold_posts = space.hold_comments = held_for
    person = getattr(scene, who)
    membership = membership_of(person, space)
    assert policies.is_held(person, space, membership, comment=False) is held
    assert policies.is_held(person, space, membership, comment=True) is held


def test_newcomers_are_guests_and_members_who_joined_recently(scene, settings):
    settings.ALVEOLE_NEWCOMER_DAYS = 7
    space = scene.open_space
    space.hold_posts = HeldFor.NEWCOMERS
    space.save()
    with time_machine.travel(timezone.now() - datetime.timedelta(days=6)):
        newcomer = MembershipFactory.create(space=space, user=scene.nonmember)
    assert policies.is_held(scene.nonmember, space, newcomer, comment=False)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        assert not policies.is_held(scene.nonmember, space, membership_of(scene.nonmember, space), comment=False)
    # Admins are never held, even in a space that holds everyone.
    space.hold_posts = HeldFor.EVERYONE
    space.save()
    MembershipFactory.create(space=space, user=scene.admin)
    post, _ = feed_actions.create_post(scene.admin, space=space, body="From the admin")
    assert post.review == Review.PUBLISHED


def test_announcement_spaces_let_only_managers_post_and_comments_can_be_closed(scene):
    space = scene.open_space
    space.posters = Contributors.MANAGERS
    space.save()
    with pytest.raises(PermissionDenied, match="Only the managers of this space can post in it"):
        feed_actions.create_post(scene.member, space=space, body="Hello")
    post, _ = feed_actions.create_post(scene.owner, space=space, body="All hands on Friday")
    feed_actions.create_comment(scene.member, post=post, body="See you there")  # comments stay open
    with pytest.raises(PermissionDenied):
        feed_actions.share_post(scene.member, post=post, space=space)
    space.commenters = Contributors.MANAGERS
    space.save()
    post.space = space
    with pytest.raises(PermissionDenied, match="Only the managers of this space can comment in it"):
        feed_actions.create_comment(scene.member, post=post, body="Me too")
    feed_actions.create_comment(scene.owner, post=post, body="Agenda to follow")
    assert Post.objects.filter(space=space).count() == 1


# --- a held post ------------------------------------------------------------------------------------


def test_a_held_post_is_seen_by_its_author_and_moderators_only_and_is_news_for_nobody(scene):
    start = _latest_seq()
    body = f"Hello @{scene.member.handle}, invoice"
    post, _ = feed_actions.create_post(scene.guest, space=scene.private_space, body=body)
    assert post.review == Review.HELD
    for person in (scene.guest, scene.owner):
        assert visible_posts(person).filter(pk=post.pk).exists(), person
        assert not visible_posts(person, published=True).filter(pk=post.pk).exists()
        assert [m["type"] for m in _live(person, start)] == ["post.created"], person
    for person in (scene.member, scene.nonmember, scene.admin):
        with pytest.raises(NotFound):
            get_post_for(person, post.pk)
        assert _live(person, start) == [], person
    assert not space_posts(scene.member, scene.private_space).filter(pk=post.pk).exists()
    assert not assemble(scene.owner, [post])[0].unread  # the manager sees it marked, not as news
    assert post.pk not in catch_up(scene.owner).post_ids
    assert not Notification.objects.exclude(kind=Kind.QUEUE).exists()  # the mention waits for approval
    with pytest.raises(Conflict):
        feed_actions.share_post(scene.owner, post=post, space=scene.open_space)


def test_approving_publishes_with_the_original_time_and_sets_off_what_a_new_post_does(scene):
    with time_machine.travel(timezone.now() - datetime.timedelta(hours=3)):
        post, _ = feed_actions.create_post(scene.guest, space=scene.private_space, body=f"Hi @{scene.member.handle}")
    written = post.created_at
    start = _latest_seq()
    held = get_held_post_for(scene.owner, post.pk)
    actions.approve_item(scene.owner, post=held)
    post.refresh_from_db()
    assert (post.review, post.reviewed_by, post.created_at) == (Review.PUBLISHED, scene.owner, written)
    assert get_post_for(scene.member, post.pk).pk == post.pk
    member_events = _live(scene.member, start)
    assert [m["type"] for m in member_events] == ["post.created"]
    assert member_events[0]["data"]["created_at"].startswith(written.astimezone(datetime.UTC).isoformat()[:19])
    # Those who saw it waiting are told it changed (their card loses its mark).
    assert [m["type"] for m in _live(scene.owner, start)] == ["post.reviewed", "post.created"]
    mention = Notification.objects.get(user=scene.member, kind=Kind.MENTION)
    assert mention.post_id == post.pk
    told = Notification.objects.select_related("post", "comment").get(user=scene.guest, kind=Kind.REVIEW)
    assert describe(told) == "A moderator published your post"
    assert AuditEvent.objects.filter(action="review.approve", actor=scene.owner, target_id=post.pk).exists()
    with pytest.raises(NotFound):  # it left the queue
        get_held_post_for(scene.owner, post.pk)
    with pytest.raises(Conflict):
        actions.approve_item(scene.owner, post=post)


def test_a_refused_post_stays_with_its_author_alone_with_the_reason(scene, client_for):
    post, _ = feed_actions.create_post(scene.guest, space=scene.private_space, body="Cheap watches")
    start = _latest_seq()
    with pytest.raises(Invalid):
        actions.refuse_item(scene.owner, post=get_held_post_for(scene.owner, post.pk), reason="  ")
    actions.refuse_item(scene.owner, post=get_held_post_for(scene.owner, post.pk), reason="Advertising, sorry.")
    post.refresh_from_db()
    assert (post.review, post.refusal_reason) == (Review.REFUSED, "Advertising, sorry.")
    assert get_post_for(scene.guest, post.pk).pk == post.pk
    for person in (scene.owner, scene.member):
        with pytest.raises(NotFound):
            get_post_for(person, post.pk)
    assert [m["type"] for m in _live(scene.owner, start)] == ["post.reviewed"]  # its card goes
    assert _live(scene.member, start) == []
    page = client_for(scene.guest).get(reverse("post", args=[post.pk])).content.decode()
    assert "Advertising, sorry." in page and "A moderator refused this post" in page
    told = Notification.objects.select_related("post", "comment").get(user=scene.guest, kind=Kind.REVIEW)
    assert describe(told) == "A moderator refused your post: Advertising, sorry."
    audit = AuditEvent.objects.get(action="review.refuse")
    assert (audit.actor_id, audit.data["reason"]) == (scene.owner.pk, "Advertising, sorry.")
    with pytest.raises(Conflict):
        feed_actions.create_comment(scene.guest, post=post, body="Why?")


def test_only_the_spaces_moderators_reach_held_items(scene):
    post, _ = feed_actions.create_post(scene.guest, space=scene.private_space, body="Waiting")
    for person in (scene.member, scene.nonmember, scene.guest, scene.admin, scene.other):
        with pytest.raises(NotFound):
            get_held_post_for(person, post.pk)
        assert held_queue(person) == []
    assert [row.post.pk for row in held_queue(scene.owner)] == [post.pk]
    with pytest.raises(PermissionDenied):  # the feed checks too
        feed_actions.approve_post(scene.member, post=post)


# --- a held comment ---------------------------------------------------------------------------------


def test_a_held_comment_does_not_count_nor_notify_until_approved(scene):
    post, _ = feed_actions.create_post(scene.member, space=scene.private_space, body="Plan for May")
    start = _latest_seq()
    comment, _ = feed_actions.create_comment(scene.guest, post=post, body="Looks good")
    assert comment.review == Review.HELD
    post.refresh_from_db()
    assert post.comment_count == 0
    assert not visible_comments(scene.member).filter(pk=comment.pk).exists()
    assert visible_comments(scene.owner).filter(pk=comment.pk).exists()
    assert _live(scene.member, start) == []
    assert [m["type"] for m in _live(scene.guest, start)] == ["comment.created"]
    assert not Notification.objects.filter(user=scene.member).exists()
    actions.approve_item(scene.owner, comment=get_held_comment_for(scene.owner, comment.pk))
    post.refresh_from_db()
    assert post.comment_count == 1
    created = [m for m in _live(scene.member, start) if m["type"] == "comment.created"]
    assert [m["data"]["comment_count"] for m in created] == [1]
    assert Notification.objects.filter(user=scene.member, kind=Kind.REPLY, comment=comment).exists()
    # Deleting a refused comment leaves the count alone.
    other, _ = feed_actions.create_comment(scene.guest, post=post, body="Spam")
    actions.refuse_item(scene.owner, comment=get_held_comment_for(scene.owner, other.pk), reason="Off topic")
    feed_actions.delete_comment(scene.guest, comment=Comment.objects.get(pk=other.pk))
    post.refresh_from_db()
    assert post.comment_count == 1


# --- the policy form, the queue page and the API --------------------------------------------------


def test_the_managers_set_the_policy_audited(scene, client_for):
    url = reverse("space_moderation", args=[scene.open_space.pk])
    assert client_for(scene.member).get(url).status_code == 403
    assert client_for(scene.guest).get(url).status_code == 404
    page = client_for(scene.owner).get(url)
    assert page.status_code == 200 and "Who may post" in page.content.decode()
    data = {"posters": "managers", "commenters": "everyone", "hold_posts": "nobody", "hold_comments": "newcomers"}
    assert client_for(scene.owner).post(url, {**data, "posters": "nobody"}).status_code == 400
    assert client_for(scene.owner).post(url, data).status_code == 302
    scene.open_space.refresh_from_db()
    assert (scene.open_space.posters, scene.open_space.hold_comments) == ("managers", "newcomers")
    audit = AuditEvent.objects.get(action="space.moderation")
    assert audit.data["after"] == {"posters": "managers", "hold_comments": "newcomers"}
    with pytest.raises(PermissionDenied):
        actions.set_space_moderation(scene.member, space=scene.open_space, **data)


def test_the_queue_page_approves_and_refuses(scene, client_for):
    post, _ = feed_actions.create_post(scene.guest, space=scene.private_space, body="First steps")
    comment, _ = feed_actions.create_comment(scene.guest, post=post, body="And a comment")
    page = client_for(scene.owner).get(reverse("moderation_queue")).content.decode()
    assert "Waiting for validation" in page and "First steps" in page and "And a comment" in page
    assert client_for(scene.member).get(reverse("moderation_queue")).status_code == 404
    reports_only = client_for(scene.owner).get(reverse("moderation_queue") + "?kind=reports").content.decode()
    assert "First steps" not in reports_only
    assert client_for(scene.owner).get(reverse("moderation_queue") + "?kind=nope").status_code == 400
    approve = reverse("moderation_approve", args=["posts", post.pk])
    assert client_for(scene.member).post(approve).status_code == 404
    assert client_for(scene.owner).post(approve).status_code == 302
    refuse = reverse("moderation_refuse", args=["comments", comment.pk])
    assert client_for(scene.owner).post(refuse, {"reason": ""}).status_code == 400
    assert client_for(scene.owner).post(refuse, {"reason": "Not here"}).status_code == 302
    assert Comment.objects.get(pk=comment.pk).review == Review.REFUSED
    settled = client_for(scene.owner).get(reverse("moderation_queue") + "?state=settled").content.decode()
    # The record says who, when and why; the refused text itself stays with its author alone.
    assert "Not here" in settled and "And a comment" not in settled
    # The author's own page marks what waits.
    again, _ = feed_actions.create_post(scene.guest, space=scene.private_space, body="Second try")
    mine = client_for(scene.guest).get(reverse("space_detail", args=[scene.private_space.pk])).content.decode()
    assert "Second try" in mine and "Waiting for validation" in mine
    theirs = client_for(scene.member).get(reverse("space_detail", args=[scene.private_space.pk])).content.decode()
    assert "Second try" not in theirs and "First steps" in theirs
    assert again.review == Review.HELD


def test_the_api_lists_approves_and_refuses(scene, api_client_for):
    post, _ = feed_actions.create_post(scene.guest, space=scene.private_space, body="Via the API")
    comment, _ = feed_actions.create_comment(scene.guest, post=post, body="A comment")
    owner = api_client_for(scene.owner)
    page = owner.get("/api/v1/moderation/held").json()
    assert [(i["kind"], i["id"], i["review"]) for i in page["items"]] == [("post", post.pk, "held")]
    assert page["next_cursor"] is None
    comments = owner.get("/api/v1/moderation/held?kind=comment").json()["items"]
    assert [i["comment_id"] for i in comments] == [comment.pk]
    assert owner.get("/api/v1/moderation/held?kind=nope").status_code in (400, 422)
    assert api_client_for(scene.member).get("/api/v1/moderation/held").status_code == 404
    assert api_client_for(scene.guest).get(f"/api/v1/posts/{post.pk}").json()["review"] == "held"
    assert api_client_for(scene.member).post(f"/api/v1/posts/{post.pk}/approve").status_code == 404
    response = owner.post(f"/api/v1/posts/{post.pk}/approve")
    assert response.json() == {"post_id": post.pk, "comment_id": None, "review": "published"}
    bad = owner.post(f"/api/v1/comments/{comment.pk}/refuse", data=json.dumps({"reason": ""}),
                     content_type="application/json")  # fmt: skip
    assert bad.status_code == 400
    response = owner.post(f"/api/v1/comments/{comment.pk}/refuse", data=json.dumps({"reason": "No"}),
                          content_type="application/json")  # fmt: skip
    assert response.json() == {"post_id": post.pk, "comment_id": comment.pk, "review": "refused"}
    refused = api_client_for(scene.guest).get(f"/api/v1/posts/{post.pk}/comments").json()
    assert [(c["review"], c["refusal_reason"]) for c in refused] == [("refused", "No")]
    assert api_client_for(scene.member).get(f"/api/v1/posts/{post.pk}/comments").json() == []
    settled = owner.get("/api/v1/moderation/held?kind=comment&state=refused").json()["items"]
    assert [(i["refusal_reason"], i["body"], i["body_html"]) for i in settled] == [("No", "", "")]


def test_the_api_reads_and_changes_the_policy(scene, api_client_for):
    url = f"/api/v1/spaces/{scene.open_space.pk}/moderation"
    owner = api_client_for(scene.owner)
    assert owner.get(url).json()["hold_posts"] == "nobody"
    response = owner.patch(url, data=json.dumps({"hold_posts": "everyone"}), content_type="application/json")
    assert response.status_code == 200 and response.json()["hold_posts"] == "everyone"
    bad = owner.patch(url, data=json.dumps({"commenters": "robots"}), content_type="application/json")
    assert bad.status_code == 400
    assert api_client_for(scene.member).get(url).status_code == 403
    assert api_client_for(scene.other).get(url).status_code == 404


def test_reports_are_paged_with_the_cursor(scene, api_client_for):
    posts = [feed_actions.create_post(scene.member, space=scene.open_space, body=f"Post {i}")[0] for i in range(3)]
    for post in posts:
        actions.report_item(scene.nonmember, post=post, reason="spam")
    owner = api_client_for(scene.owner)
    first = owner.get("/api/v1/reports?limit=2").json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = owner.get(f"/api/v1/reports?limit=2&cursor={first['next_cursor']}").json()
    assert len(second["items"]) == 1 and second["next_cursor"] is None
    ids = [r["post_id"] for r in first["items"] + second["items"]]
    assert sorted(ids) == sorted(p.pk for p in posts)
    assert owner.get("/api/v1/reports?state=settled").json()["items"] == []


# --- query budgets: the marks cost nothing per card; the queue costs the same whatever its size ---


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_held_cards_and_the_queue_cost_no_query_per_item(scene, client_for):
    space_page = reverse("space_detail", args=[scene.private_space.pk])
    queue_page = reverse("moderation_queue")
    for person in (scene.owner, scene.guest):
        client_for(person).get(space_page)  # warm caches (sessions, labels)
    feed_actions.create_post(scene.guest, space=scene.private_space, body="Held 0")
    post, _ = feed_actions.create_post(scene.member, space=scene.private_space, body="Published")
    feed_actions.create_comment(scene.guest, post=post, body="Held comment 0")
    before = {p: _count(client_for(p), space_page) for p in (scene.owner, scene.guest)}
    queue_before = _count(client_for(scene.owner), queue_page)
    for n in range(1, 6):
        feed_actions.create_post(scene.guest, space=scene.private_space, body=f"Held {n}")
        feed_actions.create_comment(scene.guest, post=post, body=f"Held comment {n}")
    after = {p: _count(client_for(p), space_page) for p in (scene.owner, scene.guest)}
    assert after == before, (before, after)
    page = client_for(scene.owner).get(space_page).content.decode()
    assert page.count('data-review="held"') == 6
    assert _count(client_for(scene.owner), queue_page) == queue_before


def test_the_managers_are_told_when_something_waits_and_the_notification_leads_to_the_queue(scene, client_for):
    post, _ = feed_actions.create_post(scene.guest, space=scene.private_space, body="Can we add a blog?")
    feed_actions.create_comment(scene.guest, post=post, body="And a shop?")
    line = Notification.objects.get(user=scene.owner, kind=Kind.QUEUE)
    # One line for the space, however many items wait; members are not told.
    assert line.space_id == scene.private_space.pk and line.actor_id == scene.guest.pk
    assert not Notification.objects.filter(kind=Kind.QUEUE).exclude(user=scene.owner).exists()
    assert "waits for your validation in" in describe(line)
    response = client_for(scene.owner).get(reverse("notification_open", args=[line.pk]))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('moderation_queue')}?space={scene.private_space.pk}"


def test_the_managers_line_is_done_with_once_nothing_waits_in_the_space(scene):
    # Otherwise a manager is emailed "waits for your validation" after the queue was emptied.
    first, _ = feed_actions.create_post(scene.guest, space=scene.private_space, body="First")
    second, _ = feed_actions.create_post(scene.guest, space=scene.private_space, body="Second")
    line = Notification.objects.get(user=scene.owner, kind=Kind.QUEUE)
    actions.approve_item(scene.owner, post=get_held_post_for(scene.owner, first.pk))
    line.refresh_from_db()
    assert line.read_at is None  # the second still waits
    actions.refuse_item(scene.owner, post=get_held_post_for(scene.owner, second.pk), reason="Off topic")
    line.refresh_from_db()
    assert line.read_at is not None


def test_the_managers_line_is_done_with_once_the_author_withdraws_what_waited(scene):
    post, _ = feed_actions.create_post(scene.guest, space=scene.private_space, body="Second thoughts")
    comment, _ = feed_actions.create_comment(scene.guest, post=_published(scene), body="On reflection")
    line = Notification.objects.get(user=scene.owner, kind=Kind.QUEUE)
    feed_actions.delete_post(scene.guest, post=post)
    line.refresh_from_db()
    assert line.read_at is None  # the comment still waits
    feed_actions.delete_comment(scene.guest, comment=comment)
    line.refresh_from_db()
    assert line.read_at is not None


def test_a_held_item_cannot_become_a_task_before_it_is_published(scene):
    from alveole.projects import actions as project_actions

    post, _ = feed_actions.create_post(scene.guest, space=scene.private_space, body="Secret plan: buy the rival")
    comment, _ = feed_actions.create_comment(scene.guest, post=_published(scene), body="Call the lawyers")
    for who in (scene.guest, scene.owner):
        with pytest.raises(Conflict):
            project_actions.create_task_from_post(who, post=post)
        with pytest.raises(Conflict):
            project_actions.create_task_from_post(who, post=comment.post, comment=comment)
    actions.approve_item(scene.owner, post=get_held_post_for(scene.owner, post.pk))
    post.refresh_from_db()
    assert project_actions.create_task_from_post(scene.owner, post=post).source_post == post


def _published(scene):
    post, _ = feed_actions.create_post(scene.owner, space=scene.private_space, body="Managers are not held")
    return post


def test_nobody_is_told_about_a_published_post(scene):
    feed_actions.create_post(scene.member, space=scene.private_space, body="Members are not held")
    assert not Notification.objects.filter(kind=Kind.QUEUE).exists()


def test_a_held_comment_cannot_be_the_answer(scene):
    question, _ = feed_actions.create_post(scene.owner, space=scene.private_space, kind="question", body="Which CMS?")
    comment, _ = feed_actions.create_comment(scene.guest, post=question, body="WordPress")
    assert comment.review == Review.HELD
    with pytest.raises(Conflict):
        feed_actions.mark_answer(scene.owner, comment=comment)
