"""Background jobs: assignment notices and due-date reminders. They take ids, reload, and are idempotent."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from alveole.accounts.models import User
from alveole.notifications import actions as notification_actions
from alveole.notifications.models import Kind

from .access import visible_tasks
from .models import Task, TaskStatus


@task()
def task_assigned(task_id: int, user_id: int, actor_id: int) -> None:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    actor = User.objects.filter(pk=actor_id).first()
    if user is None or actor is None:
        return
    found = visible_tasks(user).filter(pk=task_id, assignments__user=user).first()
    if found is None:  # unassigned or no longer visible meanwhile
        return
    with transaction.atomic():
        notification_actions.notify(user, kind=Kind.TASK_ASSIGNED, actor=actor, space_id=found.space_id)


def _remind(found: Task) -> None:
    actor = found.created_by
    for user in found.assignees.filter(is_active=True):
        if actor is None or not visible_tasks(user).filter(pk=found.pk).exists():
            continue
        notification_actions.notify(user, kind=Kind.TASK_DUE, actor=actor, space_id=found.space_id, include_self=True)


@task()
def send_task_reminders() -> int:
    """Tell assignees once before a task is due (ALVEOLE_TASK_REMINDER_HOURS) and once when it is late."""
    now = timezone.localtime()
    today = now.date()
    horizon = (now + datetime.timedelta(hours=settings.ALVEOLE_TASK_REMINDER_HOURS)).date()
    sent = 0
    open_tasks = Task.objects.exclude(status=TaskStatus.DONE).filter(due_date__isnull=False)
    for pk in (
        open_tasks.filter(due_date__lte=horizon, due_date__gte=today)
        .exclude(reminded_for=F("due_date"))
        .values_list("pk", flat=True)
    ):
        with transaction.atomic():
            found = Task.objects.select_for_update(of=("self",)).select_related("created_by").filter(pk=pk).first()
            if found is None or found.due_date is None or found.reminded_for == found.due_date:
                continue
            found.reminded_for = found.due_date
            found.save(update_fields=["reminded_for"])
            _remind(found)
            sent += 1
    for pk in open_tasks.filter(due_date__lt=today).exclude(overdue_for=F("due_date")).values_list("pk", flat=True):
        with transaction.atomic():
            found = Task.objects.select_for_update(of=("self",)).select_related("created_by").filter(pk=pk).first()
            if found is None or found.due_date is None or found.overdue_for == found.due_date:
                continue
            found.overdue_for = found.due_date
            # A task already late when created is not reminded "soon" afterwards.
            found.reminded_for = found.reminded_for or found.due_date
            found.save(update_fields=["overdue_for", "reminded_for"])
            _remind(found)
            sent += 1
    return sent


# On the shared schedule (alveole.core.periodic finds it): due-date reminders.
PERIODIC = [(send_task_reminders, 300)]
