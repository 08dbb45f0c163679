"""The insights page's filters, and the one the layout uses to show the nav entry."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alveole.spaces.models import SpaceRole

from ..charts import Cell, Table

register = template.Library()


@register.filter
def cell(table: Table, value: Cell) -> str:
    """A table's first cell (a week, a month) in the reader's language."""
    return table.label(value)


@register.filter
def duration(seconds: int | None) -> str:
    """A time to an answer as people say it: minutes, then hours, then days."""
    if seconds is None:
        return ""
    minutes = max(0, round(seconds / 60))
    if minutes < 60:
        return ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes}
    if minutes < 48 * 60:
        hours, rest = divmod(minutes, 60)
        if rest == 0:
            return ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours}
        return _("%(h)s h %(m)s min") % {"h": hours, "m": f"{rest:02d}"}
    days = round(minutes / (24 * 60))
    return ngettext("%(n)s day", "%(n)s days", days) % {"n": days}


@register.filter
def manages_any(spaces: Iterable[Any] | Callable[[], Iterable[Any]]) -> bool:
    """Whether the nav's spaces (already loaded, with `my_role`) hold one the viewer manages: the
    insights entry for managers, at no query more. A manager of an archived space only, or of none of
    the nav's first spaces, reaches /insights/ by its address."""
    rows = spaces() if callable(spaces) else spaces
    return any(getattr(space, "my_role", None) == SpaceRole.MANAGER for space in rows)
