"""Reads for outbound email: who is due an email, and what a digest holds."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from alveole.accounts.models import User
from alveole.feed.access import visible_posts
from alveole.feed.models import Post, Review
from alveole.notifications.access import settings_of
from alveole.notifications.hours import in_working_hours as in_working_hours  # the one rule, shared with pushes
from alveole.notifications.hours import time_zone_of as time_zone_of
from alveole.notifications.models import EmailMode, Kind, Notification, NotificationSettings, SpaceMute
from alveole.notifications.selectors import notification_list
from alveole.spaces import labels
from alveole.spaces.models import SpaceMembership

from .models import SentEmail, SentKind, SpaceMailSettings

# A comment counts in a digest once published (not deleted, not held, not refused), from its publication on.
PUBLISHED_COMMENT = {"comments__deleted_at__isnull": True, "comments__review": Review.PUBLISHED}

# A line older than this is not emailed any more (e.g. someone switches emails back on after a month).
MAX_AGE = datetime.timedelta(days=7)
DIGEST_NOTIFICATIONS = 30
DIGEST_BUSIEST = 5


def wants_kind(prefs: NotificationSettings, kind: str) -> bool:
    return kind not in prefs.muted_kinds and (not prefs.email_kinds or kind in prefs.email_kinds)


def muted_space_ids(user: User) -> set[int]:
    return set(SpaceMute.objects.filter(user=user).values_list("space_id", flat=True))


def line_posts(user: User) -> dict[bool, QuerySet[Post]]:
    """The posts a line may be about, by whether the line is a REVIEW one (see line_post_readable)."""
    return {False: visible_posts(user, published=True), True: visible_posts(user)}


def line_post_readable(posts: dict[bool, QuerySet[Post]], line: Notification) -> bool:
    """Whether the person may still read the post of `line` (`posts` from line_posts). A post counts
    once published, but a REVIEW line is about the person's own post, held or refused: the refusal
    and its reason reach them (visible_posts shows a refused post to its author alone)."""
    if not line.post_id:
        return True
    return posts[line.kind == Kind.REVIEW].filter(pk=line.post_id).exists()


def space_of(notification: Notification) -> int | None:
    if notification.post_id and notification.post is not None:
        return notification.post.space_id
    return notification.space_id


def content_allowed(space_id: int | None) -> bool:
    """Post text goes into emails only when the space's managers allowed it."""
    if space_id is None:
        return False
    return SpaceMailSettings.objects.filter(space_id=space_id, include_content=True).exists()


def due_notification_lines(now: datetime.datetime, delay: datetime.timedelta) -> QuerySet[Notification]:
    """Unread lines not emailed yet, quiet for `delay`, of active people who chose immediate emails."""
    not_immediate = NotificationSettings.objects.exclude(email_mode=EmailMode.IMMEDIATE).values("user_id")
    return (
        Notification.objects.filter(
            read_at__isnull=True,
            emailed_at__isnull=True,
            updated_at__lte=now - delay,
            updated_at__gte=now - MAX_AGE,
            user__is_active=True,
        )
        .exclude(user_id__in=not_immediate)
        .select_related("user", "actor", "post", "post__space", "space", "comment")
        .order_by("user_id", "updated_at", "id")
    )


def recently_emailed(notification_ids: list[int], since: datetime.datetime) -> set[int]:
    return set(
        SentEmail.objects.filter(
            kind=SentKind.NOTIFICATION, notification_id__in=notification_ids, sent_at__gt=since
        ).values_list("notification_id", flat=True)
    )


def digest_people() -> QuerySet[NotificationSettings]:
    return NotificationSettings.objects.filter(
        email_mode__in=[EmailMode.DAILY, EmailMode.WEEKLY], user__is_active=True
    ).select_related("user")


def last_digest_at(user: User, kind: str) -> datetime.datetime | None:
    return SentEmail.objects.filter(user=user, kind=kind).order_by("-sent_at").values_list("sent_at", flat=True).first()


def digest_due(mode: str, local: datetime.datetime, last_local: datetime.datetime | None) -> bool:
    """Daily: once per local day; weekly: once per ISO week (on the first working day the job sees)."""
    if last_local is None:
        return True
    if mode == EmailMode.WEEKLY:
        return last_local.isocalendar()[:2] < local.isocalendar()[:2]
    return last_local.date() < local.date()


@dataclass
class BusyPost:
    post: Post
    activity: int
    show_content: bool
    confidential: bool = False


@dataclass
class Digest:
    since: datetime.datetime
    notifications: list[Notification] = field(default_factory=list)
    busiest: list[BusyPost] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.notifications and not self.busiest


def digest_for(user: User, *, since: datetime.datetime) -> Digest:
    prefs = settings_of(user)
    muted = muted_space_ids(user)
    digest = Digest(since=since)
    visible = visible_posts(user, published=True)
    readable = line_posts(user)
    lines = notification_list(user).filter(read_at__isnull=True, emailed_at__isnull=True).order_by("-updated_at")
    for line in lines[:200]:
        if len(digest.notifications) >= DIGEST_NOTIFICATIONS:
            break
        if not wants_kind(prefs, line.kind) or space_of(line) in muted:
            continue
        if not line_post_readable(readable, line):
            continue
        digest.notifications.append(line)
    mine = SpaceMembership.objects.filter(user=user).exclude(space_id__in=muted).values("space_id")
    busy = (
        visible.filter(space_id__in=mine)
        # News by publication (an approved post or comment counts from its approval); shown by creation.
        .filter(Q(published_at__gte=since) | Q(comments__published_at__gte=since, **PUBLISHED_COMMENT))
        .annotate(
            activity=Count("comments", filter=Q(comments__published_at__gte=since, **PUBLISHED_COMMENT), distinct=True)
        )
        .select_related("author", "space", *labels.FEED_JOINS)
        .order_by("-activity", "-created_at")[:DIGEST_BUSIEST]
    )
    busy_posts = list(busy)
    allowed = set(
        SpaceMailSettings.objects.filter(
            space_id__in={p.space_id for p in busy_posts}, include_content=True
        ).values_list("space_id", flat=True)
    )
    # Confidential posts (spaces.labels) show no text in a digest, whatever the space allows.
    digest.busiest = [
        BusyPost(
            p,
            getattr(p, "activity", 0),
            p.space_id in allowed and not labels.is_restricted(p),
            confidential=labels.is_restricted(p),
        )
        for p in busy_posts
    ]
    return digest
