"""The moderation queue: reports grouped per item, in a fixed number of queries."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from alveole.accounts.models import User
from alveole.feed.models import Comment, Post, Review
from alveole.spaces.models import Space

from .access import moderated_comments, moderated_posts, moderated_reports
from .models import Reason, Report, Reporter, Status

QUEUE_SIZE = 100


@dataclass
class QueueItem:
    report: Report
    reporters: list[Reporter] = field(default_factory=list)
    reasons: list[tuple[str, int]] = field(default_factory=list)  # (label, count), most given first

    @property
    def item(self) -> Post | Comment:
        return self.report.comment if self.report.comment is not None else self.report.post

    @property
    def count(self) -> int:
        return len(self.reporters)


def reports(viewer: User, *, space: Space | None = None, settled: bool = False) -> QuerySet[Report]:
    """Open reports and hidden items the viewer moderates (`settled`: dismissed and deleted ones).

    Items deleted meanwhile (by their author, say) leave the open queue: there is nothing left to decide.
    """
    qs = moderated_reports(viewer)
    if settled:
        qs = qs.filter(status__in=(Status.DISMISSED, Status.DELETED))
    else:
        qs = qs.filter(Q(status=Status.OPEN) | Q(status=Status.HIDDEN), post__deleted_at__isnull=True).exclude(
            comment__deleted_at__isnull=False
        )
    if space is not None:
        qs = qs.filter(space=space)
    return qs


def queue(viewer: User, *, space: Space | None = None, settled: bool = False) -> list[QueueItem]:
    """Open reports and hidden items the viewer moderates, newest activity first (two queries)."""
    qs = reports(viewer, space=space, settled=settled)
    rows = list(
        qs.select_related("post", "post__author", "post__space", "comment", "comment__author")
        .prefetch_related(
            Prefetch("reporters", queryset=Reporter.objects.select_related("user").order_by("-created_at", "-id"))
        )
        .order_by("-status", "-updated_at", "-id")[:QUEUE_SIZE]  # open before hidden
    )
    labels = dict(Reason.choices)
    items = []
    for report in rows:
        reporters = list(report.reporters.all())
        counts = Counter(r.reason for r in reporters)
        items.append(
            QueueItem(
                report=report,
                reporters=reporters,
                reasons=[(str(labels.get(reason, reason)), n) for reason, n in counts.most_common()],
            )
        )
    return items


@dataclass
class HeldItem:
    """A post or a comment waiting for validation (or refused), as the queue lists it."""

    post: Post
    comment: Comment | None = None

    @property
    def item(self) -> Post | Comment:
        return self.comment if self.comment is not None else self.post

    @property
    def space(self) -> Space | None:
        return self.post.space


def held_queue(viewer: User, *, space: Space | None = None, review: str = Review.HELD) -> list[HeldItem]:
    """Posts and comments in `review` (held by default) in the spaces the viewer moderates, oldest
    first — the order they came in (two queries)."""
    posts = moderated_posts(viewer).filter(review=review)
    comments = moderated_comments(viewer).filter(review=review)
    if space is not None:
        posts, comments = posts.filter(space=space), comments.filter(post__space=space)
    rows = [HeldItem(post=p) for p in posts.select_related("author", "space").order_by("created_at", "id")[:QUEUE_SIZE]]
    rows += [
        HeldItem(post=c.post, comment=c)
        for c in comments.select_related("author", "post", "post__author", "post__space").order_by("created_at", "id")[
            :QUEUE_SIZE
        ]
    ]
    rows.sort(key=lambda row: (row.item.created_at, row.item.pk))
    return rows[:QUEUE_SIZE]
