"""Read queries for pages and the API, already scoped to the viewer."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from alveole.accounts.models import User
from alveole.spaces.access import visible_spaces
from alveole.spaces.models import Space, SpaceKind

from .access import visible_tasks
from .models import BoardColumn, Milestone, PlanStatus, ProjectPlan, Task, TaskStatus


def today() -> datetime.date:
    return timezone.localdate()


def with_details(qs: QuerySet[Task]) -> QuerySet[Task]:
    """Tasks with what a list shows, in a fixed number of queries whatever the page size."""
    return (
        qs.select_related("space", "created_by")
        .prefetch_related(Prefetch("assignees", queryset=User.objects.order_by("full_name", "id")))
        .annotate(
            checklist_total=Count("checklist", distinct=True),
            checklist_done=Count("checklist", filter=Q(checklist__done=True), distinct=True),
        )
    )


def space_tasks(viewer: User, space: Space, *, status: str | None = None) -> QuerySet[Task]:
    qs = visible_tasks(viewer).filter(space=space)
    if status:
        qs = qs.filter(status=status)
    order = Case(When(status=TaskStatus.DONE, then=Value(1)), default=Value(0), output_field=IntegerField())
    return with_details(qs).order_by(order, F("due_date").asc(nulls_last=True), "-created_at", "-id")


def my_tasks(viewer: User, *, include_done: bool = False) -> QuerySet[Task]:
    """The viewer's tasks across every space they can see: late first, then by due date."""
    qs = visible_tasks(viewer).filter(assignments__user=viewer)
    if not include_done:
        qs = qs.exclude(status=TaskStatus.DONE)
    late = Case(When(due_date__lt=today(), then=Value(0)), default=Value(1), output_field=IntegerField())
    return with_details(qs).order_by(late, F("due_date").asc(nulls_last=True), "-created_at", "-id")


# --- the board ---------------------------------------------------------------------------------

DUE_LATE, DUE_WEEK, DUE_MONTH, DUE_NONE = "late", "week", "month", "none"


@dataclass
class BoardFilters:
    assignee_id: int | None = None
    milestone: Milestone | None = None
    due: str = ""

    @property
    def active(self) -> bool:
        return bool(self.assignee_id or self.milestone or self.due)


@dataclass
class ColumnView:
    column: BoardColumn
    tasks: list[Task]
    count: int  # every task in the column, whatever the filters: the work in progress

    @property
    def over_limit(self) -> bool:
        return self.column.wip_limit is not None and self.count > self.column.wip_limit


def milestone_window(milestone: Milestone) -> tuple[datetime.date | None, datetime.date]:
    """Tasks have no milestone of their own: a milestone gathers the tasks due after the one before it,
    up to its own date — the work that has to be done to meet it."""
    before = (
        Milestone.objects.filter(space_id=milestone.space_id, date__lt=milestone.date)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
    return before, milestone.date


def board_of(viewer: User, space: Space, columns: list[BoardColumn], filters: BoardFilters) -> list[ColumnView]:
    """The space's board as the viewer sees it: each column's cards (filtered) and its full count."""
    qs = visible_tasks(viewer).filter(space=space, column__in=[c.pk for c in columns])
    counts = dict.fromkeys((c.pk for c in columns), 0)
    for column_id, n in qs.values_list("column_id").annotate(n=Count("id")).order_by():
        counts[column_id] = n
    if filters.assignee_id:
        qs = qs.filter(assignments__user_id=filters.assignee_id)
    if filters.milestone is not None:
        after, until = milestone_window(filters.milestone)
        qs = qs.filter(due_date__lte=until)
        if after is not None:
            qs = qs.filter(due_date__gt=after)
    day = today()
    if filters.due == DUE_LATE:
        qs = qs.filter(due_date__lt=day).exclude(status=TaskStatus.DONE)
    elif filters.due == DUE_WEEK:
        qs = qs.filter(due_date__gte=day, due_date__lte=day + datetime.timedelta(days=7))
    elif filters.due == DUE_MONTH:
        qs = qs.filter(due_date__gte=day, due_date__lte=day + datetime.timedelta(days=30))
    elif filters.due == DUE_NONE:
        qs = qs.filter(due_date__isnull=True)
    cards: dict[int, list[Task]] = {c.pk: [] for c in columns}
    for task in with_details(qs).order_by("board_position", "id"):
        cards[task.column_id].append(task)  # type: ignore[index]
    return [ColumnView(c, cards[c.pk], counts[c.pk]) for c in columns]


def is_overdue(task: Task) -> bool:
    return task.due_date is not None and task.status != TaskStatus.DONE and task.due_date < today()


@dataclass
class TimelineEntry:
    date: datetime.date
    kind: str  # "milestone", "task" or "deadline"
    title: str
    done: bool
    id: int | None = None


@dataclass
class Progress:
    tasks_done: int = 0
    tasks_total: int = 0
    milestones_met: int = 0
    milestones_total: int = 0
    days_left: int | None = None

    @property
    def percent(self) -> int:
        return round(100 * self.tasks_done / self.tasks_total) if self.tasks_total else 0


@dataclass
class PlanView:
    space: Space
    start_date: datetime.date | None
    deadline: datetime.date | None
    status: str
    milestones: list[Milestone] = field(default_factory=list)
    progress: Progress = field(default_factory=Progress)
    timeline: list[TimelineEntry] = field(default_factory=list)

    @property
    def is_project(self) -> bool:
        return self.space.kind == SpaceKind.PROJECT


def progress_of(space: Space, plan: ProjectPlan | None = None) -> Progress:
    counts = Task.objects.filter(space=space).aggregate(
        total=Count("id"), done=Count("id", filter=Q(status=TaskStatus.DONE))
    )
    ms = Milestone.objects.filter(space=space).aggregate(total=Count("id"), met=Count("id", filter=Q(done=True)))
    deadline = plan.deadline if plan else None
    return Progress(
        tasks_done=counts["done"],
        tasks_total=counts["total"],
        milestones_met=ms["met"],
        milestones_total=ms["total"],
        days_left=(deadline - today()).days if deadline else None,
    )


def plan_of(viewer: User, space: Space) -> PlanView:
    """The plan, milestones, progress and timeline of a space the viewer can see (found through access)."""
    plan = ProjectPlan.objects.filter(space=space).first()
    milestones = list(Milestone.objects.filter(space=space))
    view = PlanView(
        space=space,
        start_date=plan.start_date if plan else None,
        deadline=plan.deadline if plan else None,
        status=plan.status if plan else PlanStatus.PLANNED,
        milestones=milestones,
        progress=progress_of(space, plan),
    )
    entries = [TimelineEntry(m.date, "milestone", m.title, m.done, m.pk) for m in milestones]
    dated = (
        visible_tasks(viewer)
        .filter(space=space, due_date__isnull=False)
        .values_list("pk", "title", "due_date", "status")
    )
    entries += [
        TimelineEntry(due, "task", title, status == TaskStatus.DONE, pk) for pk, title, due, status in dated if due
    ]
    if view.deadline:
        entries.append(TimelineEntry(view.deadline, "deadline", "", view.status == PlanStatus.DONE))
    order = {"milestone": 0, "task": 1, "deadline": 2}
    view.timeline = sorted(entries, key=lambda e: (e.date, order[e.kind], e.id or 0))
    return view


def calendar_spaces(viewer: User) -> QuerySet[Space]:
    """Project spaces whose dates go into the viewer's calendar: those they are a member of."""
    return visible_spaces(viewer).filter(kind=SpaceKind.PROJECT, memberships__user=viewer)
