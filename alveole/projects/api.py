from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from alveole.accounts.access import viewer_of
from alveole.accounts.models import User
from alveole.core.bounds import Id
from alveole.core.errors import Invalid
from alveole.decisions.access import get_decision_for
from alveole.feed.access import get_comment_for, get_post_for
from alveole.spaces.access import get_space_for

from . import actions, selectors
from .access import (
    get_checklist_item_for,
    get_column_for,
    get_milestone_for,
    get_task_comment_for,
    get_task_for,
    visible_tasks,
)
from .models import BoardColumn, CalendarFeed, Milestone, Task
from .schemas import (
    BoardFilter,
    BoardOut,
    CalendarOut,
    ChecklistIn,
    ChecklistItemOut,
    ChecklistPatch,
    ColumnIn,
    ColumnOut,
    ColumnPatch,
    MilestoneIn,
    MilestoneOut,
    MilestonePatch,
    MoveIn,
    PlanOut,
    PlanPatch,
    StatusIn,
    TaskCommentIn,
    TaskCommentOut,
    TaskDetailOut,
    TaskFromPostIn,
    TaskIn,
    TaskPage,
    TaskPatch,
)

router = Router(tags=["projects"])


class TaskFilter(Schema):
    status: str | None = Field(None, description="todo, doing or done")


class MyTaskFilter(Schema):
    include_done: bool = False


def _person(user: User | None) -> dict | None:
    return {"id": user.pk, "full_name": user.full_name} if user is not None else None


def task_out(task: Task) -> dict:
    checklist_total = getattr(task, "checklist_total", None)
    checklist_done = getattr(task, "checklist_done", None)
    if checklist_total is None:
        items = list(task.checklist.all())
        checklist_total, checklist_done = len(items), sum(1 for i in items if i.done)
    return {
        "id": task.pk,
        "space": {"id": task.space.pk, "name": task.space.name},
        "title": task.title,
        "description": task.description,
        "description_html": task.description_html,
        "status": task.status,
        "due_date": task.due_date,
        "overdue": selectors.is_overdue(task),
        "assignees": [_person(u) for u in task.assignees.all()],
        "checklist_done": checklist_done,
        "checklist_total": checklist_total,
        "created_by": _person(task.created_by),
        "created_at": task.created_at,
        "source_post_id": task.source_post_id,
        "source_comment_id": task.source_comment_id,
        "column_id": task.column_id,
        "board_position": task.board_position,
        "url": reverse("task", args=[task.pk]),
    }


def comment_out(c: object) -> dict:
    return {
        "id": c.pk,  # type: ignore[attr-defined]
        "author": _person(c.author),  # type: ignore[attr-defined]
        "body": c.body,  # type: ignore[attr-defined]
        "body_html": c.body_html,  # type: ignore[attr-defined]
        "created_at": c.created_at,  # type: ignore[attr-defined]
    }


def task_detail(viewer: User, task_id: Id) -> dict:
    task = selectors.with_details(visible_tasks(viewer).filter(pk=task_id)).get()
    return {
        **task_out(task),
        "checklist": list(task.checklist.all()),
        "comments": [comment_out(c) for c in task.comments.select_related("author")],
    }


def plan_out(view: selectors.PlanView) -> dict:
    p = view.progress
    return {
        "space_id": view.space.pk,
        "is_project": view.is_project,
        "start_date": view.start_date,
        "deadline": view.deadline,
        "status": view.status,
        "milestones": view.milestones,
        "progress": {**vars(p), "percent": p.percent},
        "timeline": [vars(e) for e in view.timeline],
    }


# --- plan and milestones ----------------------------------------------------------------


@router.get("/spaces/{space_id}/plan", response=PlanOut, summary="A space's plan: dates, milestones, progress")
def get_plan(request: HttpRequest, space_id: Id) -> dict:
    viewer = viewer_of(request)
    return plan_out(selectors.plan_of(viewer, get_space_for(viewer, space_id)))


@router.patch("/spaces/{space_id}/plan", response=PlanOut, summary="Change a project's dates or status (managers)")
def update_plan(request: HttpRequest, space_id: Id, payload: PlanPatch) -> dict:
    viewer = viewer_of(request)
    space = get_space_for(viewer, space_id)
    actions.update_plan(viewer, space=space, **payload.dict(exclude_unset=True))
    return plan_out(selectors.plan_of(viewer, space))


@router.post("/spaces/{space_id}/milestones", response={201: MilestoneOut}, summary="Add a milestone (managers)")
def create_milestone(request: HttpRequest, space_id: Id, payload: MilestoneIn) -> Status:
    viewer = viewer_of(request)
    milestone = actions.create_milestone(viewer, space=get_space_for(viewer, space_id), **payload.dict())
    return Status(201, milestone)


@router.patch("/milestones/{milestone_id}", response=MilestoneOut, summary="Change a milestone (managers)")
def update_milestone(request: HttpRequest, milestone_id: Id, payload: MilestonePatch) -> object:
    viewer = viewer_of(request)
    milestone = get_milestone_for(viewer, milestone_id)
    return actions.update_milestone(viewer, milestone=milestone, **payload.dict(exclude_unset=True))


@router.delete("/milestones/{milestone_id}", response={204: None}, summary="Delete a milestone (managers)")
def delete_milestone(request: HttpRequest, milestone_id: Id) -> Status:
    viewer = viewer_of(request)
    actions.delete_milestone(viewer, milestone=get_milestone_for(viewer, milestone_id))
    return Status(204, None)


# --- tasks ----------------------------------------------------------------------------------


@router.get("/spaces/{space_id}/tasks", response=TaskPage, summary="A space's tasks (open first, by due date)")
def list_tasks(request: HttpRequest, space_id: Id, filters: Query[TaskFilter]) -> dict:
    viewer = viewer_of(request)
    space = get_space_for(viewer, space_id)
    return {"items": [task_out(t) for t in selectors.space_tasks(viewer, space, status=filters.status)]}


@router.post("/spaces/{space_id}/tasks", response={201: TaskDetailOut}, summary="Create a task")
def create_task(request: HttpRequest, space_id: Id, payload: TaskIn) -> Status:
    viewer = viewer_of(request)
    task = actions.create_task(viewer, space=get_space_for(viewer, space_id), **payload.dict())
    return Status(201, task_detail(viewer, task.pk))


@router.post("/posts/{post_id}/task", response={201: TaskDetailOut}, summary="Make a task from a post")
def task_from_post(request: HttpRequest, post_id: Id, payload: TaskFromPostIn) -> Status:
    viewer = viewer_of(request)
    task = actions.create_task_from_post(viewer, post=get_post_for(viewer, post_id), **payload.dict())
    return Status(201, task_detail(viewer, task.pk))


@router.post("/decisions/{decision_id}/task", response={201: TaskDetailOut}, summary="Make a task from a decision")
def task_from_decision(request: HttpRequest, decision_id: Id, payload: TaskFromPostIn) -> Status:
    viewer = viewer_of(request)
    decision = get_decision_for(viewer, decision_id)
    task = actions.create_task_from_decision(viewer, decision=decision, **payload.dict())
    return Status(201, task_detail(viewer, task.pk))


@router.post("/comments/{comment_id}/task", response={201: TaskDetailOut}, summary="Make a task from a comment")
def task_from_comment(request: HttpRequest, comment_id: Id, payload: TaskFromPostIn) -> Status:
    viewer = viewer_of(request)
    comment = get_comment_for(viewer, comment_id)
    task = actions.create_task_from_post(viewer, post=comment.post, comment=comment, **payload.dict())
    return Status(201, task_detail(viewer, task.pk))


@router.get("/me/tasks", response=TaskPage, summary="My tasks in every space I can see (late first)")
def my_tasks(request: HttpRequest, filters: Query[MyTaskFilter]) -> dict:
    viewer = viewer_of(request)
    return {"items": [task_out(t) for t in selectors.my_tasks(viewer, include_done=filters.include_done)]}


@router.get("/tasks/{task_id}", response=TaskDetailOut, summary="One task with its checklist and comments")
def get_task(request: HttpRequest, task_id: Id) -> dict:
    viewer = viewer_of(request)
    return task_detail(viewer, get_task_for(viewer, task_id).pk)


@router.patch("/tasks/{task_id}", response=TaskDetailOut, summary="Edit a task")
def update_task(request: HttpRequest, task_id: Id, payload: TaskPatch) -> dict:
    viewer = viewer_of(request)
    task = actions.update_task(viewer, task=get_task_for(viewer, task_id), **payload.dict(exclude_unset=True))
    return task_detail(viewer, task.pk)


@router.delete("/tasks/{task_id}", response={204: None}, summary="Delete a task (its creator or managers)")
def delete_task(request: HttpRequest, task_id: Id) -> Status:
    viewer = viewer_of(request)
    actions.delete_task(viewer, task=get_task_for(viewer, task_id))
    return Status(204, None)


@router.post("/tasks/{task_id}/status", response=TaskDetailOut, summary="Move a task to to do, doing or done")
def set_status(request: HttpRequest, task_id: Id, payload: StatusIn) -> dict:
    viewer = viewer_of(request)
    task = actions.set_task_status(viewer, task=get_task_for(viewer, task_id), status=payload.status)
    return task_detail(viewer, task.pk)


@router.post("/tasks/{task_id}/checklist", response={201: ChecklistItemOut}, summary="Add a checklist item")
def add_checklist_item(request: HttpRequest, task_id: Id, payload: ChecklistIn) -> Status:
    viewer = viewer_of(request)
    return Status(201, actions.add_checklist_item(viewer, task=get_task_for(viewer, task_id), text=payload.text))


@router.patch("/checklist/{item_id}", response=ChecklistItemOut, summary="Tick or rename a checklist item")
def update_checklist_item(request: HttpRequest, item_id: Id, payload: ChecklistPatch) -> object:
    viewer = viewer_of(request)
    item = get_checklist_item_for(viewer, item_id)
    return actions.update_checklist_item(viewer, item=item, **payload.dict(exclude_unset=True))


@router.delete("/checklist/{item_id}", response={204: None}, summary="Remove a checklist item")
def delete_checklist_item(request: HttpRequest, item_id: Id) -> Status:
    viewer = viewer_of(request)
    actions.delete_checklist_item(viewer, item=get_checklist_item_for(viewer, item_id))
    return Status(204, None)


@router.post("/tasks/{task_id}/comments", response={201: TaskCommentOut}, summary="Comment on a task")
def comment_on_task(request: HttpRequest, task_id: Id, payload: TaskCommentIn) -> Status:
    viewer = viewer_of(request)
    comment = actions.comment_on_task(viewer, task=get_task_for(viewer, task_id), body=payload.body)
    return Status(201, comment_out(comment))


@router.delete("/task-comments/{comment_id}", response={204: None}, summary="Delete a task comment")
def delete_task_comment(request: HttpRequest, comment_id: Id) -> Status:
    viewer = viewer_of(request)
    actions.delete_task_comment(viewer, comment=get_task_comment_for(viewer, comment_id))
    return Status(204, None)


# --- the board ---------------------------------------------------------------------------


def column_out(column: BoardColumn, count: int) -> dict:
    return {
        "id": column.pk,
        "name": column.label,
        "status": column.status,
        "position": column.position,
        "wip_limit": column.wip_limit,
        "count": count,
    }


@router.get("/spaces/{space_id}/board", response=BoardOut, summary="A space's task board: columns, counts, tasks")
def get_board(request: HttpRequest, space_id: Id, filters: Query[BoardFilter]) -> dict:
    viewer = viewer_of(request)
    space = get_space_for(viewer, space_id)
    milestone = None
    if filters.milestone_id is not None:
        milestone = Milestone.objects.filter(space=space, pk=filters.milestone_id).first()
        if milestone is None:
            raise Invalid(fields={"milestone_id": _("Choose a milestone of this space.")})
    chosen = selectors.BoardFilters(filters.assignee_id, milestone, filters.due)
    board = selectors.board_of(viewer, space, actions.board_columns(space), chosen)
    return {
        "space_id": space.pk,
        "columns": [{**column_out(c.column, c.count), "tasks": [task_out(t) for t in c.tasks]} for c in board],
    }


@router.post("/tasks/{task_id}/move", response=TaskDetailOut, summary="Move a task on the board (its state follows)")
def move_task(request: HttpRequest, task_id: Id, payload: MoveIn) -> dict:
    viewer = viewer_of(request)
    task = get_task_for(viewer, task_id)
    column = get_column_for(viewer, payload.column_id)
    position = payload.position
    if payload.before_id is not None:
        # "Before this card": the place a drag and drop knows, whatever the board's filters hide.
        before = Task.objects.filter(column=column, pk=payload.before_id).exclude(pk=task.pk).first()
        if before is None:
            raise Invalid(fields={"before_id": _("Choose a task of that column.")})
        others = Task.objects.filter(column=column).exclude(pk=task.pk)
        position = others.filter(
            Q(board_position__lt=before.board_position) | Q(board_position=before.board_position, id__lt=before.pk)
        ).count()
    actions.move_task(viewer, task=task, column=column, position=position)
    return task_detail(viewer, task.pk)


@router.post("/spaces/{space_id}/board/columns", response={201: ColumnOut}, summary="Add a board column (managers)")
def add_column(request: HttpRequest, space_id: Id, payload: ColumnIn) -> Status:
    viewer = viewer_of(request)
    column = actions.add_column(viewer, space=get_space_for(viewer, space_id), **payload.dict())
    return Status(201, column_out(column, 0))


@router.patch("/board-columns/{column_id}", response=ColumnOut, summary="Rename, limit or move a column (managers)")
def update_column(request: HttpRequest, column_id: Id, payload: ColumnPatch) -> dict:
    viewer = viewer_of(request)
    column = actions.update_column(viewer, column=get_column_for(viewer, column_id), **payload.dict(exclude_unset=True))
    return column_out(column, Task.objects.filter(column=column).count())


@router.delete("/board-columns/{column_id}", response={204: None}, summary="Remove an empty column (managers)")
def delete_column(request: HttpRequest, column_id: Id) -> Status:
    viewer = viewer_of(request)
    actions.delete_column(viewer, column=get_column_for(viewer, column_id))
    return Status(204, None)


# --- calendar -------------------------------------------------------------------------------


@router.get("/me/calendar", response=CalendarOut, summary="Whether my calendar address is active")
def get_calendar(request: HttpRequest) -> dict:
    feed = CalendarFeed.objects.filter(user=viewer_of(request)).first()
    return {"active": feed is not None, "created_at": feed.created_at if feed else None, "url": None}


@router.post("/me/calendar/rotate", response=CalendarOut, summary="A new calendar address (the old one stops)")
def rotate_calendar(request: HttpRequest) -> dict:
    viewer = viewer_of(request)
    token = actions.rotate_calendar_token(viewer)
    feed = CalendarFeed.objects.get(user=viewer)
    url = request.build_absolute_uri(reverse("calendar_feed", args=[token]))
    return {"active": True, "created_at": feed.created_at, "url": url}


@router.delete("/me/calendar", response={204: None}, summary="Turn my calendar address off")
def revoke_calendar(request: HttpRequest) -> Status:
    actions.revoke_calendar_token(viewer_of(request))
    return Status(204, None)
