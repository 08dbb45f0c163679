"""The moderation queue: reports grouped per item, in a fixed number of queries."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q

from alveole.accounts.models import User
from alveole.feed.models import Comment, Post
from alveole.spaces.models import Space

from .access import moderated_reports
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


def queue(viewer: User, *, space: Space | None = None) -> list[QueueItem]:
    """Open reports and hidden items the viewer moderates, newest activity first (two queries).

    Items deleted meanwhile (by their author, say) leave the queue: there is nothing left to decide.
    """
    qs = (
        moderated_reports(viewer)
        .filter(
            Q(status=Status.OPEN) | Q(status=Status.HIDDEN),
            post__deleted_at__isnull=True,
        )
        .exclude(comment__deleted_at__isnull=False)
    )
    if space is not None:
        qs = qs.filter(space=space)
    reports = list(
        qs.select_related("post", "post__author", "post__space", "comment", "comment__author")
        .prefetch_related(
            Prefetch("reporters", queryset=Reporter.objects.select_related("user").order_by("-created_at", "-id"))
        )
        .order_by("-status", "-updated_at", "-id")  # open before hidden[:QUEUE_SIZE]
    )
    labels = dict(Reason.choices)
    items = []
    for report in reports:
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
