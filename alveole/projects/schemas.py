from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import Field

from alveole.core.bounds import Id, UserDate


class PersonRef(Schema):
    id: int
    full_name: str


class SpaceRef(Schema):
    id: int
    name: str


class ChecklistItemOut(Schema):
    id: int
    text: str
    done: bool


class TaskCommentOut(Schema):
    id: int
    author: PersonRef
    body: str
    body_html: str
    created_at: dt.datetime


class TaskOut(Schema):
    id: int
    space: SpaceRef
    title: str
    description: str
    description_html: str
    status: str = Field(description="todo, doing or done")
    due_date: dt.date | None
    overdue: bool
    assignees: list[PersonRef]
    checklist_done: int
    checklist_total: int
    created_by: PersonRef | None
    created_at: dt.datetime
    source_post_id: int | None
    source_comment_id: int | None
    column_id: int | None = Field(None, description="The task's column on the space's board")
    board_position: int = Field(0, description="Its place in the column, 0 at the top")
    url: str


class TaskDetailOut(TaskOut):
    checklist: list[ChecklistItemOut]
    comments: list[TaskCommentOut]


class TaskPage(Schema):
    items: list[TaskOut]


class TaskIn(Schema):
    title: str
    description: str = ""
    assignee_ids: list[Id] = []
    due_date: UserDate | None = None
    status: str = "todo"
    checklist: list[str] = []


class TaskFromPostIn(Schema):
    title: str = Field("", description="Defaults to the beginning of the post or comment")
    assignee_ids: list[Id] = []
    due_date: UserDate | None = None


class TaskPatch(Schema):
    title: str | None = None
    description: str | None = None
    assignee_ids: list[Id] | None = None
    due_date: UserDate | None = None
    status: str | None = None


class StatusIn(Schema):
    status: str = Field(description="todo, doing or done")


class ChecklistIn(Schema):
    text: str


class ChecklistPatch(Schema):
    text: str | None = None
    done: bool | None = None


class TaskCommentIn(Schema):
    body: str


class MilestoneOut(Schema):
    id: int
    title: str
    date: dt.date
    done: bool


class MilestoneIn(Schema):
    title: str
    date: UserDate


class MilestonePatch(Schema):
    title: str | None = None
    date: UserDate | None = None
    done: bool | None = None


class ProgressOut(Schema):
    tasks_done: int
    tasks_total: int
    milestones_met: int
    milestones_total: int
    days_left: int | None
    percent: int


class TimelineEntryOut(Schema):
    date: dt.date
    kind: str = Field(description="milestone, task or deadline")
    title: str
    done: bool
    id: int | None


class PlanOut(Schema):
    space_id: int
    is_project: bool
    start_date: dt.date | None
    deadline: dt.date | None
    status: str = Field(description="planned, active, at_risk or done")
    milestones: list[MilestoneOut]
    progress: ProgressOut
    timeline: list[TimelineEntryOut]


class PlanPatch(Schema):
    start_date: UserDate | None = None
    deadline: UserDate | None = None
    status: str | None = None


class CalendarOut(Schema):
    active: bool
    created_at: dt.datetime | None
    url: str | None = Field(None, description="Only right after a rotation: the address is shown once")


# --- the board ---------------------------------------------------------------------------


class ColumnOut(Schema):
    id: int
    name: str
    status: str = Field(description="The state a task in this column has: todo, doing or done")
    position: int
    wip_limit: int | None
    count: int = Field(description="Every task in the column, whatever the filters")


class BoardColumnOut(ColumnOut):
    tasks: list[TaskOut]


class BoardOut(Schema):
    space_id: int
    columns: list[BoardColumnOut]


class BoardFilter(Schema):
    assignee_id: Id | None = None
    milestone_id: Id | None = Field(None, description="Tasks due after the milestone before it, up to its date")
    due: Literal["", "late", "week", "month", "none"] = ""


class MoveIn(Schema):
    column_id: Id
    position: int | None = Field(None, ge=0, le=1_000_000, description="0 is the top; none: the bottom")
    before_id: Id | None = Field(None, description="Or: just above this task of the column")


class ColumnIn(Schema):
    name: str
    status: str = Field("doing", description="The state its tasks take: todo, doing or done")
    wip_limit: int | None = None


class ColumnPatch(Schema):
    name: str | None = None
    wip_limit: int | None = None
    position: int | None = Field(None, ge=0, le=100)
