"""Projects' answers to questions other apps ask through signals."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.dispatch import receiver
from django.utils import timezone

from alveole.accounts.models import User
from alveole.notifications.signals import catch_up_sections

from .selectors import my_tasks

DEADLINE_HORIZON_DAYS = 7  # catch-up shows my open tasks that are late or due within this many days


@receiver(catch_up_sections)
def catch_up(sender: Any, *, viewer: User, since: datetime, spaces: QuerySet[Any], **kwargs: Any) -> dict[str, list]:
    soon = timezone.localdate() + timedelta(days=DEADLINE_HORIZON_DAYS)
    deadlines = my_tasks(viewer).filter(due_date__isnull=False, due_date__lte=soon).select_related("space")[:20]
    return {"deadlines": list(deadlines)}
