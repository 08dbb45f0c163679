"""The insights as tables (for the page, screen readers and CSV files) and as SVG charts drawn by pygal.

A table is the one source of a chart, its HTML table and its CSV file, so the three always agree. The
charts are served as SVG files of their own (`views.chart`), embedded with <img>: pygal writes its
styles inside the file, which the page's strict Content-Security-Policy would refuse inline, and an
image runs no script — pygal's configuration script is removed anyway.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pygal
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alveole.web.charts import DARK, STYLE, without_scripts

from . import selectors
from .access import Scope

Cell = str | int | datetime.date | None
# A cell a spreadsheet would run as a formula starts with one of these (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    summary: str  # what the chart shows, in one sentence: the image's text alternative
    columns: tuple[str, ...]  # the first one is the x axis (a week, a month)
    rows: list[tuple[Cell, ...]]
    kind: str = "line"  # line, bar or stacked
    monthly: bool = False
    plotted: tuple[int, ...] = ()  # the columns the chart draws (default: all but the first)

    def label(self, value: Cell) -> str:
        """A cell as the page shows it (dates in the reader's language)."""
        if isinstance(value, datetime.date):
            return date_format(value, "F Y" if self.monthly else "j M Y")
        return "" if value is None else str(value)

    def short_label(self, value: Cell) -> str:
        if isinstance(value, datetime.date):
            return date_format(value, "M" if self.monthly else "j M")
        return self.label(value)


def _weeks(rows: Iterable[Any], *fields: str) -> list[tuple[Cell, ...]]:
    return [(row.week, *(getattr(row, name) for name in fields)) for row in rows]


def activity_table(weeks: list[selectors.Week]) -> Table:
    return Table(
        "activity",
        _("Activity per week"),
        _("Posts, comments, reactions and active people per week, as a line chart. The figures are in the table."),
        (_("Week of"), _("Posts"), _("Comments"), _("Reactions"), _("Active people")),
        _weeks(weeks, "posts", "comments", "reactions", "people"),
    )


def guests_table(weeks: list[selectors.Week]) -> Table:
    return Table(
        "guests",
        _("Guests' activity per week"),
        _("Guests' posts, comments and reactions, and active guests, per week, as a bar chart."),
        (_("Week of"), _("Posts"), _("Comments"), _("Reactions"), _("Active guests")),
        _weeks(weeks, "guest_posts", "guest_comments", "guest_reactions", "guests"),
        kind="bar",
    )


def questions_table(questions: selectors.Questions) -> Table:
    return Table(
        "questions",
        _("Questions asked and answered"),
        _("Questions asked per week and how many of them have an accepted answer, as a bar chart."),
        (_("Week of"), _("Asked"), _("Answered")),
        _weeks(questions.weeks, "asked", "answered"),
        kind="bar",
    )


def decisions_table(months: list[tuple[datetime.date, int]]) -> Table:
    return Table(
        "decisions",
        _("Decisions per month"),
        _("Decisions taken per month, as a bar chart."),
        (_("Month"), _("Decisions")),
        [(month, count) for month, count in months],
        kind="bar",
        monthly=True,
    )


def tasks_table(weeks: list[selectors.TaskWeek]) -> Table:
    return Table(
        "tasks",
        _("Tasks done and late"),
        _("Tasks done per week, and tasks that went past their due date without being done, as a bar chart."),
        (_("Week of"), _("Done"), _("Done on time"), _("Late"), _("Late and still open")),
        _weeks(weeks, "done", "done_on_time", "late", "still_open"),
        kind="bar",
        plotted=(1, 3),  # the other two are parts of these: the table has them
    )


def top_table(name: str, top: list[selectors.TopPost]) -> Table:
    title = _("Most read posts") if name == "most-read" else _("Most commented posts")
    count = _("Readers") if name == "most-read" else _("Comments")
    rows: list[tuple[Cell, ...]] = [
        (
            top_post.post.pk,
            excerpt(top_post.post.body),
            top_post.post.space.name if top_post.post.space is not None else _("Profile post"),
            top_post.post.author.full_name,
            top_post.post.created_at.date(),
            top_post.count,
        )
        for top_post in top
    ]
    columns = (_("Post"), _("Text"), _("Space"), _("Author"), _("Posted on"), count)
    return Table(name, title, title, columns, rows, kind="list")


def excerpt(text: str, length: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


# name -> how to build its table from the scope alone (one chart's or file's own queries).
Builder = Callable[[Scope, selectors.Period], Table]
CHARTS: dict[str, Builder] = {
    "activity": lambda scope, period: activity_table(selectors.activity(scope, period)),
    "guests": lambda scope, period: guests_table(selectors.activity(scope, period)),
    "questions": lambda scope, period: questions_table(selectors.questions(scope, period)),
    "decisions": lambda scope, period: decisions_table(selectors.decisions_per_month(scope, period)),
    "tasks": lambda scope, period: tasks_table(selectors.tasks(scope, period)),
}
TABLES: dict[str, Builder] = {
    **CHARTS,
    "most-read": lambda scope, period: top_table("most-read", selectors.most_read(scope, period)),
    "most-commented": lambda scope, period: top_table("most-commented", selectors.most_commented(scope, period)),
}


def tables_of(figures: selectors.Figures) -> dict[str, Table]:
    """Every table from figures already loaded (the page: no query more)."""
    return {
        "activity": activity_table(figures.activity),
        "guests": guests_table(figures.activity),
        "questions": questions_table(figures.questions),
        "decisions": decisions_table(figures.decisions),
        "tasks": tasks_table(figures.tasks),
        "most-read": top_table("most-read", figures.most_read),
        "most-commented": top_table("most-commented", figures.most_commented),
    }


# --- CSV ----------------------------------------------------------------------------------------------


def _csv_cell(value: Cell) -> str | int:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    return "" if value is None else value


def csv_text(table: Table) -> str:
    """The table as CSV: ISO dates, a byte order mark so that spreadsheets read UTF-8."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([_csv_cell(cell) for cell in row])
    return buffer.getvalue()


# --- SVG ----------------------------------------------------------------------------------------------

SIZES = {"wide": (760, 340), "narrow": (380, 320)}
NO_DATA = gettext_lazy("Nothing yet")


def whole_steps(highest: int) -> list[int]:
    """The y axis of counts: whole numbers only, at most six labels, from 0 to at least `highest`."""
    step = max(1, -(-highest // 5))
    return list(range(0, max(highest, 1) + step, step))


def _number(value: Cell) -> int | None:
    return value if isinstance(value, int) else None


def svg(table: Table, *, size: str = "wide") -> bytes:
    width, height = SIZES.get(size, SIZES["wide"])
    narrow = size == "narrow"
    columns = table.plotted or tuple(range(1, len(table.columns)))
    chart_class = {"bar": pygal.Bar, "stacked": pygal.StackedBar}.get(table.kind, pygal.Line)
    chart = chart_class(
        js=[],
        css=["file://style.css", "file://graph.css", DARK],
        style=STYLE,
        width=width,
        height=height,
        explicit_size=False,  # a viewBox only: the image scales to the width it is given
        legend_at_bottom=True,
        legend_at_bottom_columns=2 if narrow else len(table.plotted or table.columns[1:]),
        truncate_legend=-1,
        show_minor_x_labels=not narrow,
        x_labels_major_every=3 if narrow else None,
        truncate_label=-1,
        include_x_axis=True,
        print_values=False,
        dots_size=3,
        margin=8,
        spacing=8,
        no_data_text=str(NO_DATA),
        disable_xml_declaration=False,
    )
    chart.add_xml_filter(without_scripts)
    chart.x_labels = [table.short_label(row[0]) for row in table.rows]
    chart.y_labels = whole_steps(max((_number(row[i]) or 0 for row in table.rows for i in columns), default=0))
    for index in columns:
        column = table.columns[index]
        chart.add(column, [_number(row[index]) for row in table.rows])
    return bytes(chart.render())
