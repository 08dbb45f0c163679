"""Reads for notification lists and the catch-up page, scoped to the viewer."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alveole.accounts.models import User
from alveole.feed.access import visible_posts
from alveole.feed.models import Mention, Post, Review
from alveole.spaces.models import Space, SpaceMembership

from .access import notifications_of, settings_of
from .models import Kind, Notification
from .signals import catch_up_sections

CATCH_UP_DEFAULT_DAYS = 7
CATCH_UP_PER_SPACE = 10


def notification_list(viewer: User) -> QuerySet[Notification]:
    return notifications_of(viewer).select_related("actor", "post", "post__space", "space", "comment")


def unread_count(viewer: User) -> int:
    return notifications_of(viewer).filter(read_at__isnull=True).count()


def describe(notification: Notification) -> str:
    """“Anna and 3 others liked your post” — one sentence per grouped line."""
    name = notification.actor.full_name if notification.actor else _("Someone")
    others = notification.actor_count - 1
    texts = {
        Kind.MENTION: (
            _("%(name)s mentioned you"),
            ngettext("%(name)s and %(n)d other mentioned you", "%(name)s and %(n)d others mentioned you", others),
        ),
        Kind.REPLY: (
            _("%(name)s replied to you"),
            ngettext("%(name)s and %(n)d other replied to you", "%(name)s and %(n)d others replied to you", others),
        ),
        Kind.REACTION: (
            _("%(name)s reacted to your post"),
            ngettext(
                "%(name)s and %(n)d other reacted to your post",
                "%(name)s and %(n)d others reacted to your post",
                others,
            ),
        ),
        Kind.SPACE_ADDED: (
            _("%(name)s added you to %(space)s"),
            ngettext(
                "%(name)s and %(n)d other added you to %(space)s",
                "%(name)s and %(n)d others added you to %(space)s",
                others,
            ),
        ),
        Kind.TASK_ASSIGNED: (
            _("%(name)s assigned you a task in %(space)s"),
            ngettext(
                "%(name)s and %(n)d other assigned you tasks in %(space)s",
                "%(name)s and %(n)d others assigned you tasks in %(space)s",
                others,
            ),
        ),
        Kind.TASK_DUE: (_("A task of yours in %(space)s is due soon or late"),) * 2,
        Kind.DECISION: (_("%(name)s is waiting for your vote before it closes"),) * 2,
        Kind.REPORT: (_report_outcome(notification),) * 2,
        Kind.REVIEW: (_review_outcome(notification),) * 2,
        Kind.QUEUE: (
            _("%(name)s wrote something that waits for your validation in %(space)s"),
            ngettext(
                "%(name)s and %(n)d other wrote things that wait for your validation in %(space)s",
                "%(name)s and %(n)d others wrote things that wait for your validation in %(space)s",
                others,
            ),
        ),
    }
    if notification.kind == Kind.REPLY and _is_comment_on_my_post(notification):
        # A comment under my post is not an answer to something I wrote in the thread.
        texts[Kind.REPLY] = (
            _("%(name)s commented on your post"),
            ngettext(
                "%(name)s and %(n)d other commented on your post",
                "%(name)s and %(n)d others commented on your post",
                others,
            ),
        )
    alone, together = texts.get(Kind(notification.kind), (_("%(name)s did something"),) * 2)
    space = notification.space.name if notification.space else ""
    return (together if others > 0 else alone) % {"name": name, "n": others, "space": space}


def _review_outcome(notification: Notification) -> str:
    """What a moderator decided about the person's held post or comment, as it stands now (% escaped:
    the reason is written by a person, and describe() fills the sentence in)."""
    item = notification.comment or notification.post
    if item is None or item.deleted_at is not None:
        return _("A moderator reviewed something you wrote")
    is_comment = notification.comment is not None
    if item.review == Review.REFUSED:
        text = (
            _("A moderator refused your comment: %(reason)s")
            if is_comment
            else _("A moderator refused your post: %(reason)s")
        )
        return text % {"reason": item.refusal_reason.replace("%", "%%")}
    if item.review == Review.PUBLISHED:
        return _("A moderator published your comment") if is_comment else _("A moderator published your post")
    return _("A moderator reviewed something you wrote")


def _report_outcome(notification: Notification) -> str:
    """What the moderators did with the item the person reported, as it stands now."""
    item = notification.comment or notification.post
    if item is None or item.deleted_at is not None:
        return _("A moderator deleted something you reported")
    if item.hidden_at is not None:
        return _("A moderator hid something you reported")
    return _("A moderator reviewed your report and left it in place")


def _is_comment_on_my_post(notification: Notification) -> bool:
    """The latest comment of the line went under the person's own post, not under one of their comments."""
    post = notification.post
    if post is None or post.author_id != notification.user_id:
        return False
    return notification.comment is None or notification.comment.parent_id is None


@dataclass
class CatchUpSpace:
    space: Space | None
    for_me: list[Post] = field(default_factory=list)  # mentions and replies to me
    busiest: list[Post] = field(default_factory=list)  # the most active threads since
    new_posts: int = 0


@dataclass
class CatchUp:
    since: datetime
    spaces: list[CatchUpSpace]
    notifications: list[Notification]
    until: datetime = field(default_factory=timezone.now)  # when the page was put together
    votes: list[Any] = field(default_factory=list)  # open polls and proposals I have not answered
    decisions: list[Any] = field(default_factory=list)  # decided in my spaces since
    deadlines: list[Any] = field(default_factory=list)  # my open tasks, late or due within a week

    @property
    def post_ids(self) -> list[int]:
        return [p.pk for s in self.spaces for p in (*s.for_me, *s.busiest)]

    @property
    def is_empty(self) -> bool:
        return not (self.spaces or self.notifications or self.votes or self.decisions or self.deadlines)


def mentions_since(viewer: User, since: datetime) -> QuerySet[Mention]:
    """The mentions of `viewer` that are news since `since`: written since, or in a post or comment
    published since (approved after being held). A mention in a comment that waits for validation, or
    was refused, is nobody's news yet (the post's is checked by the caller, with visible_posts)."""
    return Mention.objects.filter(
        Q(comment__isnull=True) | Q(comment__review=Review.PUBLISHED),
        Q(created_at__gte=since)
        | Q(comment__isnull=True, post__published_at__gte=since)
        | Q(comment__published_at__gte=since),
        user=viewer,
    )


def catch_up(viewer: User) -> CatchUp:
    """What happened in my spaces since my last catch-up: what concerns me first, then the busiest threads."""
    prefs = settings_of(viewer)
    since = prefs.caught_up_at or timezone.now() - timedelta(days=CATCH_UP_DEFAULT_DAYS)
    mine = SpaceMembership.objects.filter(user=viewer).values("space_id")
    recent = visible_posts(viewer, published=True).filter(space_id__in=mine).exclude(author=viewer)
    about_me = set(mentions_since(viewer, since).values_list("post_id", flat=True)) | set(
        notifications_of(viewer)
        .filter(updated_at__gte=since, kind__in=[Kind.REPLY, Kind.MENTION], post__isnull=False)
        .values_list("post_id", flat=True)
    )
    for_me = list(
        visible_posts(viewer, published=True)
        .filter(pk__in=about_me)
        .select_related("author", "space")
        .order_by("-created_at")[:50]
    )
    # News by publication (an approved post or comment counts from its approval); listed by creation.
    activity = (
        recent.filter(Q(published_at__gte=since) | Q(comments__published_at__gte=since))
        .annotate(activity=Count("comments", filter=Q(comments__published_at__gte=since), distinct=True))
        .select_related("author", "space")
        .order_by("-activity", "-created_at")[:200]
    )
    groups: dict[int | None, CatchUpSpace] = {}
    for post in for_me:
        groups.setdefault(post.space_id, CatchUpSpace(space=post.space)).for_me.append(post)
    counts: dict[int | None, int] = defaultdict(int)
    for post in activity:
        group = groups.setdefault(post.space_id, CatchUpSpace(space=post.space))
        # Posts about me are listed under "For you": counting them here promised posts the section lacks.
        if post.published_at is not None and post.published_at >= since and post.pk not in about_me:
            counts[post.space_id] += 1
        if post.pk not in about_me and len(group.busiest) < CATCH_UP_PER_SPACE:
            group.busiest.append(post)
    for space_id, group in groups.items():
        group.new_posts = counts[space_id]
    ordered = sorted(groups.values(), key=lambda g: (-len(g.for_me), -g.new_posts, g.space.name if g.space else ""))
    unread = list(notification_list(viewer).filter(read_at__isnull=True).order_by("-updated_at")[:50])
    found = CatchUp(since=since, spaces=ordered, notifications=unread)
    # What comes right after what concerns me: votes awaiting me, decisions taken, my deadlines.
    for _receiver, sections in catch_up_sections.send(CatchUp, viewer=viewer, since=since, spaces=mine):
        for name, items in cast(dict[str, list[Any]], sections).items():
            setattr(found, name, items)
    return found
