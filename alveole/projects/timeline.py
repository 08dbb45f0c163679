"""A project's timeline as an SVG image drawn by pygal: milestones and due tasks on a time axis, the
deadline and today marked. The plan page shows it in a box that scrolls sideways on a phone, with the same
entries as a table (projects/plan.html): the image's text is for the eye, the table for everyone."""

from __future__ import annotations

import datetime

import pygal
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from alveole.web.charts import DARK, STYLE, without_scripts

from .selectors import PlanView, today

PX_PER_DAY = 9
WIDTH_MIN, WIDTH_MAX, HEIGHT = 720, 3600, 300
MARGIN_DAYS = 4
LABEL_MAX = 22
# The rows the marks sit on (y values); the axis itself is hidden.
MILESTONE_Y, TASK_Y, TOP = 2.0, 1.0, 2.6


def span(view: PlanView) -> tuple[datetime.date, datetime.date]:
    days = [e.date for e in view.timeline] + [today()]
    if view.start_date:
        days.append(view.start_date)
    margin = datetime.timedelta(days=MARGIN_DAYS)
    return min(days) - margin, max(days) + margin


def size(view: PlanView) -> tuple[int, int]:
    first, last = span(view)
    return max(WIDTH_MIN, min(WIDTH_MAX, (last - first).days * PX_PER_DAY)), HEIGHT


def _ticks(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Weeks (Mondays) on a short plan, the first of each month on a long one."""
    if (last - first).days <= 70:
        day = first + datetime.timedelta(days=(7 - first.weekday()) % 7)
        return [day + datetime.timedelta(weeks=i) for i in range((last - day).days // 7 + 1)]
    ticks, month = [], first.replace(day=1)
    while month <= last:
        if month >= first:
            ticks.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return ticks


def _short(title: str) -> str:
    return title if len(title) <= LABEL_MAX else title[: LABEL_MAX - 1].rstrip() + "…"


def svg(view: PlanView) -> bytes:
    first, last = span(view)
    width, height = size(view)
    chart = pygal.DateLine(
        js=[],
        css=["file://style.css", "file://graph.css", DARK],
        style=STYLE,
        width=width,
        height=height,
        explicit_size=False,
        show_legend=False,  # the page's own legend stays in view when the image scrolls (plan.html)
        truncate_label=-1,
        show_y_labels=False,
        show_y_guides=False,
        show_x_guides=True,
        range=(0, TOP),
        xrange=(first, last),
        x_value_formatter=lambda d: date_format(d, "j M" if (last - first).days <= 70 else "M Y"),
        print_labels=True,
        print_values=False,
        dots_size=6,
        margin=8,
        spacing=8,
        no_data_text=_("Nothing planned yet"),
    )
    chart.add_xml_filter(without_scripts)
    chart.x_labels = _ticks(first, last)
    milestones = [e for e in view.timeline if e.kind == "milestone"]
    tasks = [e for e in view.timeline if e.kind == "task"]
    chart.add(_("Milestones"), [{"value": (e.date, MILESTONE_Y), "label": _short(e.title)} for e in milestones],
              stroke=False)  # fmt: skip
    # Tasks due the same day stack downwards, so that each keeps its own mark and label.
    per_day: dict[datetime.date, int] = {}
    points: dict[bool, list[dict]] = {False: [], True: []}
    for e in tasks:
        row = per_day.get(e.date, 0)
        per_day[e.date] = row + 1
        points[e.done].append({"value": (e.date, TASK_Y - 0.28 * (row % 4)), "label": _short(e.title)})
    chart.add(_("Tasks due"), points[False], stroke=False)
    chart.add(_("Tasks done"), points[True], stroke=False)
    # Every series is always there, so that each keeps its colour from one plan to the next.
    deadline = [(view.deadline, 0.1), (view.deadline, TOP - 0.1)] if view.deadline else []
    chart.add(_("Deadline"), deadline, show_dots=False, stroke_style={"width": 3})
    chart.add(_("Today"), [(today(), 0.1), (today(), TOP - 0.1)], show_dots=False,
              stroke_style={"width": 3, "dasharray": "6, 4"})  # fmt: skip
    return bytes(chart.render())
