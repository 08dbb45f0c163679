"""Task and plan pages: a space's tasks, a task, a project's plan, my tasks, the calendar feed."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from alveole.accounts.access import viewer_of
from alveole.accounts.models import User
from alveole.core.errors import AlveoleError
from alveole.decisions.access import get_decision_for
from alveole.feed.access import get_post_for
from alveole.spaces.access import can_manage, get_space_for, membership_of
from alveole.spaces.models import Space
from alveole.spaces.pages import space_header
from alveole.web.charts import CONTENT_SECURITY_POLICY
from alveole.web.shortcuts import act, render_error, safe_next, submit, web_view

from . import actions, calendar, selectors, timeline
from .access import (
    assignable_people,
    get_checklist_item_for,
    get_column_for,
    get_milestone_for,
    get_task_for,
    visible_tasks,
)
from .forms import (
    BoardFilterForm,
    ChecklistForm,
    ColumnEditForm,
    ColumnForm,
    CommentForm,
    MilestoneForm,
    MoveForm,
    PlanForm,
    StatusForm,
    TaskForm,
)
from .models import CalendarFeed, Milestone, Task, TaskStatus


def _people(viewer: User, space: Space, *, assigned: Iterable[int] = ()) -> list[tuple[int, str]]:
    """The form's choices: projects.access.assignable_people, as names."""
    qs = assignable_people(viewer, space, keeping=assigned)
    return list(qs.order_by("full_name", "id").values_list("pk", "full_name")[:500])


def _can_work(viewer: User, space: Space) -> bool:
    return not space.is_archived and (membership_of(viewer, space) is not None or can_manage(viewer, space))


TASK_FIELDS = {"assignee_ids": "assignees"}  # the action's argument: the form's field


def _task_fields(form: TaskForm) -> dict:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "description": data["description"],
        "assignee_ids": [int(pk) for pk in data["assignees"]],
        "due_date": data["due_date"],
        "status": data["status"],
    }


@web_view
def space_tasks(request: HttpRequest, space_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    space = get_space_for(viewer, space_id)
    form = TaskForm(request.POST or None, people=_people(viewer, space), prefix="task")

    def page(status: int) -> HttpResponse:
        context = space_header(viewer, space, "tasks")
        context.update(
            {
                "tasks": list(selectors.space_tasks(viewer, space)),
                "form": form,
                "can_work": _can_work(viewer, space),
                "today": selectors.today(),
            }
        )
        return render(request, "projects/space_tasks.html", context, status=status)

    return submit(
        request,
        form,
        lambda _data: actions.create_task(viewer, space=space, **_task_fields(form)),
        done=lambda task: _("Task “%(title)s” created.") % {"title": task.title},
        then=lambda _task: reverse("space_tasks", args=[space.pk]),
        page=page,
        field_map=TASK_FIELDS,
    )


@require_GET
@web_view
def space_board(request: HttpRequest, space_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    space = get_space_for(viewer, space_id)
    columns = actions.board_columns(space)
    milestones = list(Milestone.objects.filter(space=space))
    form = BoardFilterForm(
        request.GET or None,
        people=_people(viewer, space),
        milestones=[(m.pk, f"{date_format(m.date, 'SHORT_DATE_FORMAT')} · {m.title}") for m in milestones],
    )
    filters, status = selectors.BoardFilters(), 200
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            chosen = next((m for m in milestones if m.pk == data["milestone"]), None)
            filters = selectors.BoardFilters(data["assignee"], chosen, data["due"] or "")
        else:
            status = 400
    context = space_header(viewer, space, "tasks")
    context.update(
        {
            "board": selectors.board_of(viewer, space, columns, filters),
            "columns": columns,
            "filters": filters,
            "filter_form": form,
            "column_form": ColumnForm(prefix="column"),
            "can_work": _can_work(viewer, space),
            "can_arrange": not space.is_archived and can_manage(viewer, space),
            "today": selectors.today(),
            "here": request.get_full_path(),
            # The API's address for a move, with {id} for the task (board.js fills it in).
            "move_api": reverse("api:move_task", kwargs={"task_id": 0}).replace("/0/", "/{id}/"),
        }
    )
    return render(request, "projects/board.html", context, status=status)


@require_POST
@web_view
def task_move(request: HttpRequest, task_id: int) -> HttpResponse:
    """The board's "Move to…" menu, without JavaScript: a column (and a place in it), then back to the board."""
    viewer = viewer_of(request)
    task = get_task_for(viewer, task_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a column to move the task to."))
        return redirect(safe_next(request, reverse("space_board", args=[task.space_id])))
    column = get_column_for(viewer, form.cleaned_data["column"])
    return act(
        request,
        lambda: actions.move_task(viewer, task=task, column=column, position=form.cleaned_data["position"]),
        done=_("“%(title)s” moved to %(column)s.") % {"title": task.title, "column": column.label},
        then=reverse("space_board", args=[task.space_id]),
    )


@require_POST
@web_view
def board_column_add(request: HttpRequest, space_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    space = get_space_for(viewer, space_id)
    form = ColumnForm(request.POST, prefix="column")
    board = reverse("space_board", args=[space.pk]) + "#columns"
    if not form.is_valid():
        messages.error(request, _("Give the column a name (at most 60 characters) and a limit from 1 to 999, or none."))
        return redirect(board)
    return act(
        request,
        lambda: actions.add_column(viewer, space=space, **form.cleaned_data),
        done=_("Column added."),
        then=board,
        refused=lambda exc: _refused(request, exc, board),
    )


@require_POST
@web_view
def board_column(request: HttpRequest, column_id: int) -> HttpResponse:
    """A column's row in "Arrange the columns": save its name and limit, move it left or right, or remove it."""
    viewer = viewer_of(request)
    column = get_column_for(viewer, column_id)
    board = reverse("space_board", args=[column.space_id]) + "#columns"
    change: Callable[[], object]
    if request.POST.get("delete"):
        change = lambda: actions.delete_column(viewer, column=column)  # noqa: E731
    elif request.POST.get("shift") in ("-1", "1"):
        place = column.position + int(request.POST["shift"])
        change = lambda: actions.update_column(viewer, column=column, position=max(0, place))  # noqa: E731
    else:
        form = ColumnEditForm(request.POST)
        if not form.is_valid():
            messages.error(
                request, _("Give the column a name (at most 60 characters) and a limit from 1 to 999, or none.")
            )
            return redirect(board)
        data = form.cleaned_data
        change = lambda: actions.update_column(viewer, column=column, name=data["name"], wip_limit=data["wip_limit"])  # noqa: E731
    return act(request, change, done=_("Board saved."), then=board, refused=lambda exc: _refused(request, exc, board))


def _refused(request: HttpRequest, exc: AlveoleError, then: str) -> HttpResponse:
    """A refused change to the columns: said on the board itself, where the form is."""
    if exc.status in (403, 404):
        return render_error(request, exc)
    messages.error(request, exc.message)
    return redirect(then)


@web_view
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    task = get_task_for(viewer, task_id)
    space = task.space
    assigned = list(task.assignments.values_list("user_id", flat=True))
    initial = {
        "title": task.title,
        "description": task.description,
        "assignees": [str(pk) for pk in assigned],
        "due_date": task.due_date,
        "status": task.status,
    }
    form = TaskForm(
        request.POST or None, initial=initial, people=_people(viewer, space, assigned=assigned), prefix="task"
    )

    def page(status: int) -> HttpResponse:
        detail = selectors.with_details(visible_tasks(viewer).filter(pk=task.pk)).get()
        context = space_header(viewer, space, "tasks")
        context.update(
            {
                "task": detail,
                "overdue": selectors.is_overdue(detail),
                "checklist": list(detail.checklist.all()),
                "comments": list(detail.comments.select_related("author")),
                "form": form,
                "checklist_form": ChecklistForm(),
                "comment_form": CommentForm(),
                "statuses": TaskStatus.choices,
                "can_work": _can_work(viewer, space),
                "can_delete": not space.is_archived and (task.created_by_id == viewer.pk or can_manage(viewer, space)),
            }
        )
        return render(request, "projects/task.html", context, status=status)

    return submit(
        request,
        form,
        lambda _data: actions.update_task(viewer, task=task, **_task_fields(form)),
        done=_("Task saved."),
        then=lambda _task: reverse("task", args=[task.pk]),
        page=page,
        field_map=TASK_FIELDS,
    )


def _back_to_task(request: HttpRequest, task: Task, exc: AlveoleError | None = None) -> HttpResponse:
    if exc is not None:
        messages.error(request, exc.message)
    return redirect("task", task_id=task.pk)


@require_POST
@web_view
def task_status(request: HttpRequest, task_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    task = get_task_for(viewer, task_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to do, doing or done."))
        return _back_to_task(request, task)
    status = form.cleaned_data["status"]
    return act(request, lambda: actions.set_task_status(viewer, task=task, status=status), done="",
               then=reverse("task", args=[task.pk]))  # fmt: skip


@require_POST
@web_view
def task_delete(request: HttpRequest, task_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    task = get_task_for(viewer, task_id)
    space_id = task.space_id
    actions.delete_task(viewer, task=task)
    messages.success(request, _("Task deleted."))
    return redirect("space_tasks", space_id=space_id)


@require_POST
@web_view
def checklist_add(request: HttpRequest, task_id: int) -> HttpResponse:
    return _add_to_task(
        request, task_id, ChecklistForm, _("Write the item first (at most 300 characters)."),
        lambda viewer, task, data: actions.add_checklist_item(viewer, task=task, text=data["text"]),
    )  # fmt: skip


@require_POST
@web_view
def checklist_item(request: HttpRequest, item_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    item = get_checklist_item_for(viewer, item_id)
    _delete_or_tick(request, lambda: actions.delete_checklist_item(viewer, item=item),
                    lambda done: actions.update_checklist_item(viewer, item=item, done=done))  # fmt: skip
    return _back_to_task(request, item.task)


def _delete_or_tick(request: HttpRequest, delete: Callable[[], object], tick: Callable[[bool], object]) -> None:
    """A checklist item's or a milestone's row: its Delete button, or its Done box ticked or not."""
    if request.POST.get("delete"):
        delete()
    else:
        tick(request.POST.get("done") == "on")


@require_POST
@web_view
def task_comment(request: HttpRequest, task_id: int) -> HttpResponse:
    return _add_to_task(
        request, task_id, CommentForm, _("Write something first."),
        lambda viewer, task, data: actions.comment_on_task(viewer, task=task, body=data["body"]),
    )  # fmt: skip


def _add_to_task(
    request: HttpRequest, task_id: int, form_class: type[forms.Form], empty: str,
    add: Callable[[User, Task, dict[str, Any]], object],
) -> HttpResponse:  # fmt: skip
    """A small form on a task's page (a checklist item, a comment): `empty` when the form is not valid,
    then back to the task either way."""
    viewer = viewer_of(request)
    task = get_task_for(viewer, task_id)
    form = form_class(request.POST)
    if form.is_valid():
        add(viewer, task, form.cleaned_data)
    else:
        messages.error(request, empty)
    return _back_to_task(request, task)


@require_POST
@web_view
def task_from_post(request: HttpRequest, post_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    # "title": the text the person had selected in the post, sent by feed.js (else the first line).
    title = " ".join(request.POST.get("title", "").split())[: actions.TITLE_MAX]
    task = actions.create_task_from_post(viewer, post=get_post_for(viewer, post_id), title=title)
    messages.success(request, _("Task created from the post. Add a due date and assignees."))
    return redirect("task", task_id=task.pk)


@require_POST
@web_view
def task_from_decision(request: HttpRequest, decision_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    task = actions.create_task_from_decision(viewer, decision=get_decision_for(viewer, decision_id))
    messages.success(request, _("Task created from the decision. Add a due date and assignees."))
    return redirect("task", task_id=task.pk)


@web_view
def space_plan(request: HttpRequest, space_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    space = get_space_for(viewer, space_id)
    view = selectors.plan_of(viewer, space)
    form = PlanForm(
        request.POST or None,
        initial={"start_date": view.start_date, "deadline": view.deadline, "status": view.status},
        prefix="plan",
    )
    width, height = timeline.size(view)
    context = {
        "plan": view,
        "form": form,
        "milestone_form": MilestoneForm(prefix="milestone"),
        "timeline_width": width,
        "timeline_height": height,
        "today": selectors.today(),
    }
    return submit(
        request,
        form,
        lambda data: actions.update_plan(viewer, space=space, **data),
        done=_("Plan saved."),
        then=lambda _saved: reverse("space_plan", args=[space.pk]),
        page=lambda status: render(
            request, "projects/plan.html", {**space_header(viewer, space, "plan"), **context}, status=status
        ),
    )


@require_GET
@web_view
def space_timeline(request: HttpRequest, space_id: int) -> HttpResponse:
    """The plan's timeline as an image (pygal's SVG): its own file, as its styles need their own policy."""
    viewer = viewer_of(request)
    view = selectors.plan_of(viewer, get_space_for(viewer, space_id))
    response = HttpResponse(timeline.svg(view), content_type="image/svg+xml")
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@web_view
def milestone_add(request: HttpRequest, space_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    space = get_space_for(viewer, space_id)
    form = MilestoneForm(request.POST, prefix="milestone")
    if form.is_valid():
        actions.create_milestone(viewer, space=space, **form.cleaned_data)
    else:
        messages.error(request, _("Give the milestone a title and a date."))
    return redirect("space_plan", space_id=space.pk)


@require_POST
@web_view
def milestone_item(request: HttpRequest, milestone_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    milestone = get_milestone_for(viewer, milestone_id)
    _delete_or_tick(request, lambda: actions.delete_milestone(viewer, milestone=milestone),
                    lambda done: actions.update_milestone(viewer, milestone=milestone, done=done))  # fmt: skip
    return redirect("space_plan", space_id=milestone.space_id)


@web_view
def my_tasks(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    feed = CalendarFeed.objects.filter(user=viewer).first()
    context = {
        "tasks": list(selectors.my_tasks(viewer)),
        "today": selectors.today(),
        "calendar_active": feed is not None,
        "calendar_url": request.session.pop("alveole_calendar_url", ""),
    }
    return render(request, "projects/my_tasks.html", context)


@require_POST
@web_view
def calendar_rotate(request: HttpRequest) -> HttpResponse:
    token = actions.rotate_calendar_token(viewer_of(request))
    # Shown once, on the next page: only its hash is kept.
    request.session["alveole_calendar_url"] = request.build_absolute_uri(reverse("calendar_feed", args=[token]))
    messages.success(request, _("Your new calendar address is ready; the previous one no longer works."))
    return redirect(reverse("my_tasks") + "#calendar")


@require_POST
@web_view
def calendar_revoke(request: HttpRequest) -> HttpResponse:
    actions.revoke_calendar_token(viewer_of(request))
    messages.success(request, _("Your calendar address no longer works."))
    return redirect(reverse("my_tasks") + "#calendar")


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = calendar.user_for_token(token)
    except AlveoleError as refusal:  # two-factor to set up first: say so to whoever opens the address
        return HttpResponse(refusal.message, status=refusal.status, content_type="text/plain; charset=utf-8")
    if user is None:
        raise Http404()
    response = HttpResponse(calendar.build(user), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = 'inline; filename="alveole.ics"'
    return response
