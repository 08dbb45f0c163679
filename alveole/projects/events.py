"""The live events projects emit (see alveole.live); audience: the space's readers."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel

from alveole.live.publish import LiveEvent


class Assignee(BaseModel):
    id: int
    full_name: str


class TaskState(BaseModel):
    id: int
    space_id: int
    title: str
    description: str
    description_html: str
    status: str
    due_date: date | None
    assignees: list[Assignee]
    checklist_done: int
    checklist_total: int
    column_id: int | None = None
    board_position: int = 0


class TaskCreated(LiveEvent):
    type: Literal["task.created"] = "task.created"
    task: TaskState


class TaskUpdated(LiveEvent):
    type: Literal["task.updated"] = "task.updated"
    task: TaskState


class TaskDeleted(LiveEvent):
    type: Literal["task.deleted"] = "task.deleted"
    task_id: int
    space_id: int


class TaskMoved(LiveEvent):
    """A task moved on the board: where it is now, where it was, and the two columns' counts (absolute
    numbers, so that applying the event twice changes nothing)."""

    type: Literal["task.moved"] = "task.moved"
    task: TaskState
    from_column_id: int | None
    counts: dict[int, int]
    order: list[int]  # the tasks of the task's column, top to bottom


class ColumnState(BaseModel):
    id: int
    name: str
    status: str
    position: int
    wip_limit: int | None


class BoardChanged(LiveEvent):
    type: Literal["board.changed"] = "board.changed"
    space_id: int
    columns: list[ColumnState]


class MilestoneState(BaseModel):
    id: int
    title: str
    date: date
    done: bool


class PlanChanged(LiveEvent):
    type: Literal["project.plan_changed"] = "project.plan_changed"
    space_id: int
    start_date: date | None
    deadline: date | None
    status: str
    milestones: list[MilestoneState]
