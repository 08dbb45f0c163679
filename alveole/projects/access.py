"""The one door to plans, milestones and tasks: every lookup starts from the viewer's spaces."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from alveole.accounts.models import User
from alveole.core.errors import NotFound
from alveole.spaces.access import readers_filter, visible_spaces
from alveole.spaces.models import Space
from alveole.spaces.people import people_visible_to

from .models import BoardColumn, ChecklistItem, Milestone, Task, TaskComment


def visible_tasks(viewer: User) -> QuerySet[Task]:
    if not viewer.is_authenticated or not viewer.is_active:
        return Task.objects.none()
    return Task.objects.filter(organisation_id=viewer.org_id, space__in=visible_spaces(viewer).values("pk"))


def get_task_for(viewer: User, task_id: int | str) -> Task:
    try:
        return visible_tasks(viewer).select_related("space", "created_by").get(pk=int(task_id))
    except (Task.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def get_milestone_for(viewer: User, milestone_id: int | str) -> Milestone:
    try:
        return (
            Milestone.objects.filter(space__in=visible_spaces(viewer).values("pk"))
            .select_related("space")
            .get(pk=int(milestone_id))
        )
    except (Milestone.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def get_column_for(viewer: User, column_id: int | str) -> BoardColumn:
    try:
        return (
            BoardColumn.objects.filter(
                space__organisation_id=viewer.org_id, space__in=visible_spaces(viewer).values("pk")
            )
            .select_related("space")
            .get(pk=int(column_id))
        )
    except (BoardColumn.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def get_checklist_item_for(viewer: User, item_id: int | str) -> ChecklistItem:
    try:
        return (
            ChecklistItem.objects.filter(task__in=visible_tasks(viewer))
            .select_related("task", "task__space")
            .get(pk=int(item_id))
        )
    except (ChecklistItem.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def get_task_comment_for(viewer: User, comment_id: int | str) -> TaskComment:
    try:
        return (
            TaskComment.objects.filter(task__in=visible_tasks(viewer))
            .select_related("task", "task__space", "author")
            .get(pk=int(comment_id))
        )
    except (TaskComment.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def assignable_people(viewer: User, space: Space, *, keeping: Iterable[int] = ()) -> QuerySet[User]:
    """Who the viewer may give a task in this space: the organisation's active people who can read the
    space, among those the viewer may see (so choosing someone reveals nothing). Whoever is assigned
    already (`keeping`) stays: the task names them anyway, and saving must not drop them."""
    qs = User.objects.filter(organisation_id=viewer.org_id, is_active=True).filter(readers_filter(space))
    return qs.filter(Q(pk__in=people_visible_to(viewer).values("pk")) | Q(pk__in=list(keeping))).distinct()
