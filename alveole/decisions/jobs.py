"""Background jobs: close votes at their deadline, remind those who have not voted. Idempotent."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from alveole.feed.models import Review
from alveole.notifications import actions as notification_actions
from alveole.notifications.models import Kind

from . import actions, selectors
from .models import Poll, Proposal

REMINDER_KIND = Kind.DECISION


@task()
def close_due_votes() -> None:
    actions.close_due()


def remind(now: datetime.datetime | None = None) -> int:
    """Tell the members who have not voted, once, ALVEOLE_VOTE_REMINDER_HOURS before the close.

    Only about a vote its readers see: its post published, neither hidden nor deleted (a reminder is
    news, decisions.access); a held vote approved later is reminded of at the next run."""
    now = now or timezone.now()
    soon = now + datetime.timedelta(hours=settings.ALVEOLE_VOTE_REMINDER_HOURS)
    told = 0
    for model in (Poll, Proposal):
        due = model.objects.filter(closed_at__isnull=True, reminded_at__isnull=True, closes_at__gt=now,
                                   closes_at__lte=soon, post__deleted_at__isnull=True,
                                   post__hidden_at__isnull=True, post__review=Review.PUBLISHED)  # fmt: skip
        for pk in due.values_list("pk", flat=True):
            with transaction.atomic():
                item = model.objects.select_for_update().select_related("space", "author").get(pk=pk)
                if item.reminded_at is not None:
                    continue
                item.reminded_at = now
                item.save(update_fields=["reminded_at"])
                for person in selectors.to_remind(item):
                    if notification_actions.notify(
                        person, kind=REMINDER_KIND, actor=item.author, post_id=item.post_id, space_id=item.space_id
                    ):
                        told += 1
    return told


@task()
def send_vote_reminders() -> None:
    remind()


# On the shared schedule (alveole.core.periodic finds it): closing at the deadline, reminders before it.
PERIODIC = [(close_due_votes, 60), (send_vote_reminders, 600)]
