"""Every change to plans, milestones, tasks, checklists, task comments and calendar feeds."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alveole.accounts.models import User
from alveole.core import audit, markdown
from alveole.core.bounds import check_date, check_ids
from alveole.core.errors import Conflict, Invalid, NotFound, PermissionDenied
from alveole.core.jobs import enqueue_job
from alveole.core.secrets import hash_secret, new_secret
from alveole.decisions.models import Decision
from alveole.feed.models import Comment, Post, Review
from alveole.live.models import Audience
from alveole.live.publish import LiveEvent, publish
from alveole.spaces.access import can_manage, check_space_open_for_changes, membership_of
from alveole.spaces.models import Space, SpaceKind

from . import events, jobs
from .access import assignable_people
from .models import (
    BoardColumn,
    CalendarFeed,
    ChecklistItem,
    Milestone,
    PlanStatus,
    ProjectPlan,
    Task,
    TaskAssignee,
    TaskComment,
    TaskStatus,
)

TITLE_MAX = 200
DESCRIPTION_MAX = 10_000
CHECKLIST_TEXT_MAX = 300
CHECKLIST_MAX_ITEMS = 100
ASSIGNEES_MAX = 20

_UNSET: object = object()


# --- checks ---------------------------------------------------------------------------


def _require_member(actor: User, space: Space) -> None:
    """Tasks are created and changed by the space's members (and those who manage it)."""
    if space.organisation_id != actor.organisation_id:
        raise NotFound()
    check_space_open_for_changes(space)
    if membership_of(actor, space) is None and not can_manage(actor, space):
        raise PermissionDenied(_("Join the space to work on its tasks."))


def _require_manager(actor: User, space: Space) -> None:
    if space.organisation_id != actor.organisation_id:
        raise NotFound()
    if not can_manage(actor, space):
        raise PermissionDenied(_("Only the space's managers can change its plan."))
    check_space_open_for_changes(space)
    if space.kind != SpaceKind.PROJECT:
        raise Conflict(_("Only project spaces have a plan; change the space's kind to project first."))


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise Invalid(fields={"title": _("Give it a title.")})
    if len(title) > TITLE_MAX:
        raise Invalid(fields={"title": _("Keep the title under %(n)d characters.") % {"n": TITLE_MAX}})
    return title


def _clean_text(text: str, *, field: str, limit: int, required: bool) -> str:
    text = (text or "").strip()
    if required and not text:
        raise Invalid(fields={field: _("Write something first.")})
    if len(text) > limit:
        raise Invalid(
            fields={
                field: _("This is %(n)d characters long; the limit is %(limit)d.") % {"n": len(text), "limit": limit}
            }
        )
    return text


def _clean_status(status: str) -> str:
    if status not in TaskStatus.values:
        raise Invalid(fields={"status": _("Choose to do, doing or done.")})
    return status


def _assignees(actor: User, space: Space, ids: Sequence[int], *, keeping: Iterable[int] = ()) -> list[User]:
    """The people to assign, by projects.access.assignable_people (each can read the space)."""
    wanted = check_ids(dict.fromkeys(int(i) for i in ids), field="assignee_ids")
    if len(wanted) > ASSIGNEES_MAX:
        raise Invalid(fields={"assignee_ids": _("Assign at most %(n)d people.") % {"n": ASSIGNEES_MAX}})
    if not wanted:
        return []
    people = {u.pk: u for u in assignable_people(actor, space, keeping=keeping).filter(pk__in=wanted)}
    missing = [pk for pk in wanted if pk not in people]
    if missing:
        raise Invalid(
            fields={
                "assignee_ids": _(
                    "Some of the people you chose cannot see this space; add them to the space first, "
                    "or choose someone else."
                )
            }
        )
    return [people[pk] for pk in wanted]


# --- live events ------------------------------------------------------------------------


def _emit(event: LiveEvent, space: Space) -> None:
    publish(event, organisation_id=space.organisation_id, audience=Audience.SPACE, space_id=space.pk)


def task_state(task: Task) -> events.TaskState:
    items = list(task.checklist.all())
    return events.TaskState(
        id=task.pk,
        space_id=task.space_id,
        title=task.title,
        description=task.description,
        description_html=task.description_html,
        status=task.status,
        due_date=task.due_date,
        assignees=[events.Assignee(id=u.pk, full_name=u.full_name) for u in task.assignees.order_by("full_name", "id")],
        checklist_done=sum(1 for i in items if i.done),
        checklist_total=len(items),
        column_id=task.column_id,
        board_position=task.board_position,
    )


def _task_updated(task: Task) -> None:
    _emit(events.TaskUpdated(task=task_state(task)), task.space)


def _plan_changed(space: Space) -> None:
    plan = ProjectPlan.objects.filter(space=space).first()
    _emit(
        events.PlanChanged(
            space_id=space.pk,
            start_date=plan.start_date if plan else None,
            deadline=plan.deadline if plan else None,
            status=plan.status if plan else PlanStatus.PLANNED,
            milestones=[
                events.MilestoneState(id=m.pk, title=m.title, date=m.date, done=m.done)
                for m in Milestone.objects.filter(space=space)
            ],
        ),
        space,
    )


# --- project plan and milestones -----------------------------------------------------------


@transaction.atomic
def update_plan(
    actor: User,
    *,
    space: Space,
    start_date: datetime.date | object | None = _UNSET,
    deadline: datetime.date | object | None = _UNSET,
    status: str | object = _UNSET,
) -> ProjectPlan:
    _require_manager(actor, space)
    for field, value in (("start_date", start_date), ("deadline", deadline)):
        check_date(value if isinstance(value, datetime.date) else None, field=field)
    plan, _created = ProjectPlan.objects.select_for_update().get_or_create(space=space)
    if start_date is not _UNSET:
        plan.start_date = start_date  # type: ignore[assignment]
    if deadline is not _UNSET:
        plan.deadline = deadline  # type: ignore[assignment]
    if status is not _UNSET:
        if status not in PlanStatus.values:
            raise Invalid(fields={"status": _("Choose planned, active, at risk or done.")})
        plan.status = status
    if plan.start_date and plan.deadline and plan.deadline < plan.start_date:
        raise Invalid(fields={"deadline": _("The deadline comes before the start; pick a later date.")})
    plan.save()
    audit.record("project.plan", actor=actor, target=space, deadline=str(plan.deadline or ""), status=plan.status)
    _plan_changed(space)
    return plan


@transaction.atomic
def create_milestone(actor: User, *, space: Space, title: str, date: datetime.date) -> Milestone:
    _require_manager(actor, space)
    check_date(date, field="date")
    milestone = Milestone.objects.create(space=space, title=_clean_title(title), date=date)
    audit.record("project.milestone_create", actor=actor, target=space, milestone=milestone.pk)
    _plan_changed(space)
    return milestone


@transaction.atomic
def update_milestone(
    actor: User,
    *,
    milestone: Milestone,
    title: str | None = None,
    date: datetime.date | None = None,
    done: bool | None = None,
) -> Milestone:
    _require_manager(actor, milestone.space)
    if title is not None:
        milestone.title = _clean_title(title)
    if date is not None:
        check_date(date, field="date")
        milestone.date = date
    if done is not None:
        milestone.done = done
    milestone.save()
    _plan_changed(milestone.space)
    return milestone


@transaction.atomic
def delete_milestone(actor: User, *, milestone: Milestone) -> None:
    space = milestone.space
    _require_manager(actor, space)
    audit.record("project.milestone_delete", actor=actor, target=space, label=milestone.title)
    milestone.delete()
    _plan_changed(space)


# --- tasks ---------------------------------------------------------------------------------


def _set_assignees(actor: User, task: Task, people: list[User]) -> list[int]:
    """Replace the assignees; returns the ids of those newly assigned."""
    current = set(task.assignments.values_list("user_id", flat=True))
    wanted = {u.pk for u in people}
    TaskAssignee.objects.filter(task=task, user_id__in=current - wanted).delete()
    added = [u.pk for u in people if u.pk not in current]
    TaskAssignee.objects.bulk_create([TaskAssignee(task=task, user_id=pk) for pk in added])
    return added


def _notify_assigned(task: Task, actor: User, user_ids: list[int]) -> None:
    for pk in user_ids:
        if pk != actor.pk:
            enqueue_job(jobs.task_assigned, task.pk, pk, actor.pk)


@transaction.atomic
def create_task(
    actor: User,
    *,
    space: Space,
    title: str,
    description: str = "",
    assignee_ids: Sequence[int] = (),
    due_date: datetime.date | None = None,
    status: str = TaskStatus.TODO,
    checklist: Sequence[str] = (),
    source_post: Post | None = None,
    source_comment: Comment | None = None,
) -> Task:
    _require_member(actor, space)
    check_date(due_date, field="due_date")
    title = _clean_title(title)
    description = _clean_text(description, field="description", limit=DESCRIPTION_MAX, required=False)
    status = _clean_status(status)
    people = _assignees(actor, space, assignee_ids)
    items = [_clean_text(t, field="checklist", limit=CHECKLIST_TEXT_MAX, required=True) for t in checklist]
    if len(items) > CHECKLIST_MAX_ITEMS:
        raise Invalid(fields={"checklist": _("Keep the checklist under %(n)d items.") % {"n": CHECKLIST_MAX_ITEMS}})
    task = Task.objects.create(
        organisation_id=actor.org_id,
        space=space,
        title=title,
        description=description,
        description_html=markdown.to_html(description) if description else "",
        status=status,
        due_date=due_date,
        created_by=actor,
        completed_at=timezone.now() if status == TaskStatus.DONE else None,
        source_post=source_post,
        source_comment=source_comment,
    )
    if _place_on_board(task):
        task.save(update_fields=["column", "board_position"])
    added = _set_assignees(actor, task, people)
    ChecklistItem.objects.bulk_create([ChecklistItem(task=task, text=t, position=i) for i, t in enumerate(items)])
    audit.record("task.create", actor=actor, target=task, label=title, space=space.pk)
    _emit(events.TaskCreated(task=task_state(task)), space)
    _notify_assigned(task, actor, added)
    return task


@transaction.atomic
def create_task_from_post(actor: User, *, post: Post, comment: Comment | None = None, **fields: object) -> Task:
    """A task in the post's space that links back to the post (or to one of its comments)."""
    if post.space is None:
        raise Conflict(_("Tasks live in spaces; this post is on a profile."))
    # A task is seen by the whole space: the text of a held or refused item would reach it before any decision.
    if post.review != Review.PUBLISHED or (comment is not None and comment.review != Review.PUBLISHED):
        raise Conflict(_("This waits for validation by the space's managers: make a task of it once it is published."))
    source = comment.body if comment is not None else post.body
    # The first line names the task (a post's opening sentence); the whole text goes in the description.
    first_line = next((line for line in source.splitlines() if line.strip()), "")
    title = str(fields.pop("title", "") or "") or markdown.plain_text(first_line, TITLE_MAX) or _("Follow up")
    description = str(fields.pop("description", "") or "") or source
    return create_task(
        actor,
        space=post.space,
        title=title,
        description=description[:DESCRIPTION_MAX],
        source_post=post,
        source_comment=comment,
        **fields,  # type: ignore[arg-type]
    )


@transaction.atomic
def update_task(
    actor: User,
    *,
    task: Task,
    title: str | None = None,
    description: str | None = None,
    assignee_ids: Sequence[int] | None = None,
    due_date: datetime.date | object | None = _UNSET,
    status: str | None = None,
) -> Task:
    _require_member(actor, task.space)
    if title is not None:
        task.title = _clean_title(title)
    if description is not None:
        task.description = _clean_text(description, field="description", limit=DESCRIPTION_MAX, required=False)
        task.description_html = markdown.to_html(task.description) if task.description else ""
    keeping = list(task.assignees.values_list("pk", flat=True)) if assignee_ids is not None else []
    people = _assignees(actor, task.space, assignee_ids, keeping=keeping) if assignee_ids is not None else None
    if due_date is not _UNSET:
        check_date(due_date if isinstance(due_date, datetime.date) else None, field="due_date")
        task.due_date = due_date  # type: ignore[assignment]
    if status is not None:
        _apply_status(task, _clean_status(status))
    task.save()
    added = _set_assignees(actor, task, people) if people is not None else []
    audit.record("task.update", actor=actor, target=task, label=task.title, space=task.space_id)
    _task_updated(task)
    _notify_assigned(task, actor, added)
    return task


def _apply_status(task: Task, status: str) -> None:
    """A new state from the list, the task's page or the API: the task follows on the board, to the first
    column of that state (a done task always sits in a column that means done)."""
    if status == task.status:
        return
    _set_state(task, status)
    if task.column_id is not None and task.column is not None and task.column.status != status:
        _place_on_board(task)


def _set_state(task: Task, status: str) -> None:
    if status == task.status:
        return
    task.status = status
    task.completed_at = timezone.now() if status == TaskStatus.DONE else None


@transaction.atomic
def set_task_status(actor: User, *, task: Task, status: str) -> Task:
    _require_member(actor, task.space)
    _apply_status(task, _clean_status(status))
    task.save(update_fields=["status", "completed_at", "updated_at", "column", "board_position"])
    _task_updated(task)
    return task


@transaction.atomic
def delete_task(actor: User, *, task: Task) -> None:
    space = task.space
    if task.created_by_id != actor.pk and not can_manage(actor, space):
        raise PermissionDenied(_("Only the person who created the task or the space's managers can delete it."))
    check_space_open_for_changes(space)
    audit.record("task.delete", actor=actor, target=task, label=task.title, space=space.pk)
    task_id = task.pk
    task.delete()
    _emit(events.TaskDeleted(task_id=task_id, space_id=space.pk), space)


# --- the board ----------------------------------------------------------------------------

COLUMN_NAME_MAX = 60
COLUMNS_MAX = 12
WIP_LIMIT_MAX = 999
DEFAULT_COLUMNS = (TaskStatus.TODO, TaskStatus.DOING, TaskStatus.DONE)


def board_columns(space: Space) -> list[BoardColumn]:
    """The space's columns, the three default ones made on first use; tasks not on the board yet (made
    before it existed) join the first column of their state."""
    columns = list(BoardColumn.objects.filter(space=space))
    if columns:
        return columns
    with transaction.atomic():
        # One board per space even when two people open it at once: the space's row is the lock.
        Space.objects.select_for_update().filter(pk=space.pk).first()
        columns = list(BoardColumn.objects.filter(space=space))
        if not columns:
            columns = [
                BoardColumn.objects.create(space=space, status=s, position=i) for i, s in enumerate(DEFAULT_COLUMNS)
            ]
            first = {c.status: c for c in reversed(columns)}
            for status, column in first.items():
                orphans = list(
                    Task.objects.filter(space=space, status=status, column__isnull=True).order_by(
                        "due_date", "created_at", "id"
                    )
                )
                for position, task in enumerate(orphans):
                    task.column, task.board_position = column, position
                Task.objects.bulk_update(orphans, ["column", "board_position"], batch_size=500)
    return columns


def _place_on_board(task: Task) -> bool:
    """Put the task at the end of the first column of its state, when the space has a board."""
    column = BoardColumn.objects.filter(space_id=task.space_id, status=task.status).order_by("position", "id").first()
    if column is None:
        return False
    last = Task.objects.filter(column=column).exclude(pk=task.pk).order_by("-board_position").first()
    task.column = column
    task.board_position = last.board_position + 1 if last is not None else 0
    return True


def _column_counts(*column_ids: int | None) -> dict[int, int]:
    ids = [pk for pk in dict.fromkeys(column_ids) if pk is not None]
    counts = dict.fromkeys(ids, 0)
    for pk in Task.objects.filter(column_id__in=ids).values_list("column_id", flat=True):
        counts[pk] += 1
    return counts


@transaction.atomic
def move_task(actor: User, *, task: Task, column: BoardColumn, position: int | None = None) -> Task:
    """Put a task in a column of its space's board, at `position` (0 is the top; none or past the end: the
    bottom). The task takes the column's state: into a Done column it is done, out of it open again."""
    _require_member(actor, task.space)
    if column.space_id != task.space_id:
        raise Invalid(fields={"column_id": _("Choose a column of this task's board.")})
    if position is not None and position < 0:
        raise Invalid(fields={"position": _("Give a position of 0 or more.")})
    from_column_id = task.column_id
    others = list(
        Task.objects.select_for_update().filter(column=column).exclude(pk=task.pk).order_by("board_position", "id")
    )
    at = len(others) if position is None else min(position, len(others))
    others.insert(at, task)
    moved = []
    for index, item in enumerate(others):
        if item.pk == task.pk:
            continue
        if item.board_position != index:
            item.board_position = index
            moved.append(item)
    Task.objects.bulk_update(moved, ["board_position"])
    task.column, task.board_position = column, at
    _set_state(task, column.status)
    task.save(update_fields=["column", "board_position", "status", "completed_at", "updated_at"])
    audit.record("task.move", actor=actor, target=task, label=task.title, space=task.space_id, column=column.label)
    _emit(
        events.TaskMoved(
            task=task_state(task),
            from_column_id=from_column_id,
            counts=_column_counts(from_column_id, column.pk),
            order=[item.pk for item in others],
        ),
        task.space,
    )
    return task


def _require_board_manager(actor: User, space: Space) -> None:
    if space.organisation_id != actor.organisation_id:
        raise NotFound()
    if not can_manage(actor, space):
        raise PermissionDenied(_("Only the space's managers can change the board's columns."))
    check_space_open_for_changes(space)


def _clean_column_name(space: Space, name: str, *, column: BoardColumn | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise Invalid(fields={"name": _("Give the column a name.")})
    if len(name) > COLUMN_NAME_MAX:
        raise Invalid(fields={"name": _("Keep the name under %(n)d characters.") % {"n": COLUMN_NAME_MAX}})
    others = BoardColumn.objects.filter(space=space)
    if column is not None:
        others = others.exclude(pk=column.pk)
    if any(c.label.casefold() == name.casefold() for c in others):
        raise Invalid(fields={"name": _("The board already has a column with this name.")})
    return name


def _clean_wip_limit(value: int | None) -> int | None:
    if value is not None and not 1 <= value <= WIP_LIMIT_MAX:
        raise Invalid(fields={"wip_limit": _("Give a limit between 1 and %(n)d, or none.") % {"n": WIP_LIMIT_MAX}})
    return value


def _board_changed(space: Space) -> None:
    _emit(
        events.BoardChanged(
            space_id=space.pk,
            columns=[
                events.ColumnState(id=c.pk, name=c.label, status=c.status, position=c.position, wip_limit=c.wip_limit)
                for c in BoardColumn.objects.filter(space=space)
            ],
        ),
        space,
    )


def _renumber(columns: list[BoardColumn]) -> None:
    for index, column in enumerate(columns):
        column.position = index
    BoardColumn.objects.bulk_update(columns, ["position"])


@transaction.atomic
def add_column(
    actor: User, *, space: Space, name: str, status: str = TaskStatus.DOING, wip_limit: int | None = None
) -> BoardColumn:
    """A column of the managers' own (e.g. "Review", a kind of doing), added before the first Done column."""
    _require_board_manager(actor, space)
    columns = board_columns(space)
    if len(columns) >= COLUMNS_MAX:
        raise Conflict(_("A board has at most %(n)d columns.") % {"n": COLUMNS_MAX})
    column = BoardColumn(
        space=space,
        name=_clean_column_name(space, name),
        status=_clean_status(status),
        wip_limit=_clean_wip_limit(wip_limit),
    )
    done_at = next((i for i, c in enumerate(columns) if c.status == TaskStatus.DONE), len(columns))
    column.save()
    columns.insert(done_at if status != TaskStatus.DONE else len(columns), column)
    _renumber(columns)
    audit.record("board.column_create", actor=actor, target=space, label=column.label)
    _board_changed(space)
    return column


@transaction.atomic
def update_column(
    actor: User,
    *,
    column: BoardColumn,
    name: str | None = None,
    wip_limit: int | object | None = _UNSET,
    position: int | None = None,
) -> BoardColumn:
    """Rename a column, set its work-in-progress limit, or move it (0 is the leftmost)."""
    space = column.space
    _require_board_manager(actor, space)
    if name is not None:
        column.name = _clean_column_name(space, name, column=column)
    if wip_limit is not _UNSET:
        column.wip_limit = _clean_wip_limit(wip_limit)  # type: ignore[arg-type]
    column.save()
    if position is not None:
        if position < 0:
            raise Invalid(fields={"position": _("Give a position of 0 or more.")})
        columns = [c for c in BoardColumn.objects.filter(space=space) if c.pk != column.pk]
        columns.insert(min(position, len(columns)), column)
        _renumber(columns)
    audit.record("board.column_update", actor=actor, target=space, label=column.label)
    _board_changed(space)
    return column


@transaction.atomic
def delete_column(actor: User, *, column: BoardColumn) -> None:
    """Remove an empty column; each state keeps at least one column, so every task always has a place."""
    space = column.space
    _require_board_manager(actor, space)
    if Task.objects.filter(column=column).exists():
        raise Conflict(_("Move the column's tasks to another column first."))
    if not BoardColumn.objects.filter(space=space, status=column.status).exclude(pk=column.pk).exists():
        raise Conflict(_("The board needs a column for each state (to do, doing, done): keep this one."))
    audit.record("board.column_delete", actor=actor, target=space, label=column.label)
    column.delete()
    _renumber(list(BoardColumn.objects.filter(space=space)))
    _board_changed(space)


# --- checklist -----------------------------------------------------------------------------


@transaction.atomic
def add_checklist_item(actor: User, *, task: Task, text: str) -> ChecklistItem:
    _require_member(actor, task.space)
    text = _clean_text(text, field="text", limit=CHECKLIST_TEXT_MAX, required=True)
    count = task.checklist.count()
    if count >= CHECKLIST_MAX_ITEMS:
        raise Invalid(fields={"text": _("Keep the checklist under %(n)d items.") % {"n": CHECKLIST_MAX_ITEMS}})
    item = ChecklistItem.objects.create(task=task, text=text, position=count)
    _task_updated(task)
    return item


@transaction.atomic
def update_checklist_item(
    actor: User, *, item: ChecklistItem, text: str | None = None, done: bool | None = None
) -> ChecklistItem:
    _require_member(actor, item.task.space)
    if text is not None:
        item.text = _clean_text(text, field="text", limit=CHECKLIST_TEXT_MAX, required=True)
    if done is not None:
        item.done = done
    item.save()
    _task_updated(item.task)
    return item


@transaction.atomic
def delete_checklist_item(actor: User, *, item: ChecklistItem) -> None:
    _require_member(actor, item.task.space)
    task = item.task
    item.delete()
    _task_updated(task)


# --- comments ------------------------------------------------------------------------------


@transaction.atomic
def comment_on_task(actor: User, *, task: Task, body: str) -> TaskComment:
    _require_member(actor, task.space)
    body = _clean_text(body, field="body", limit=settings.ALVEOLE_COMMENT_MAX_LENGTH, required=True)
    comment = TaskComment.objects.create(task=task, author=actor, body=body, body_html=markdown.to_html(body))
    _task_updated(task)
    return comment


@transaction.atomic
def delete_task_comment(actor: User, *, comment: TaskComment) -> None:
    if comment.author_id != actor.pk and not can_manage(actor, comment.task.space):
        raise PermissionDenied(_("Only the author or the space's managers can delete this comment."))
    check_space_open_for_changes(comment.task.space)
    task = comment.task
    comment.delete()
    _task_updated(task)


# --- calendar feed --------------------------------------------------------------------------


@transaction.atomic
def rotate_calendar_token(actor: User) -> str:
    """A new secret calendar address; the previous one stops working at once. Returns the token (shown once)."""
    if not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied()
    token = new_secret("cal")
    CalendarFeed.objects.update_or_create(
        user=actor, defaults={"token_hash": hash_secret(token), "created_at": timezone.now()}
    )
    audit.record("calendar.rotate", actor=actor, target=actor)
    return token


@transaction.atomic
def revoke_calendar_token(actor: User) -> None:
    deleted, _rows = CalendarFeed.objects.filter(user=actor).delete()
    if deleted:
        audit.record("calendar.revoke", actor=actor, target=actor)


@transaction.atomic
def create_task_from_decision(actor: User, *, decision: Decision, **fields: object) -> Task:
    """A decision spawns a task in its space, linked to the vote's discussion."""
    title = str(fields.pop("title", "") or "") or markdown.plain_text(decision.outcome, TITLE_MAX) or decision.title
    description = str(fields.pop("description", "") or "") or _("Decision: %(title)s — %(outcome)s") % {
        "title": decision.title,
        "outcome": decision.outcome,
    }
    return create_task(
        actor,
        space=decision.space,
        title=title[:TITLE_MAX],
        description=description[:DESCRIPTION_MAX],
        source_post=decision.post,
        **fields,  # type: ignore[arg-type]
    )
