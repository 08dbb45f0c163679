"""A person's iCalendar feed: their tasks' due dates, their project spaces' milestones and deadlines,
and open vote deadlines when the decisions app provides them. All-day events, stable UIDs."""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from alveole.accounts.models import User
from alveole.core.secrets import hash_secret

from .access import visible_tasks
from .models import CalendarFeed, Milestone, ProjectPlan, TaskStatus
from .selectors import calendar_spaces

PRODID = "-//Alvéole//Alvéole calendar//EN"


def user_for_token(token: str) -> User | None:
    feed = (
        CalendarFeed.objects.select_related("user").filter(token_hash=hash_secret(token), user__is_active=True).first()
    )
    return feed.user if feed is not None else None


def _uid(kind: str, pk: object, user: User) -> str:
    host = getattr(settings, "ALVEOLE_SITE_HOST", "") or "alveole"
    return f"{kind}-{pk}-u{user.pk}@{host}"


def _event(uid: str, day: datetime.date, summary: str, stamp: datetime.datetime, description: str = "") -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + datetime.timedelta(days=1))
    event.add("summary", summary)
    event.add("transp", "TRANSPARENT")
    if description:
        event.add("description", description)
    return event


def _decision_deadlines(user: User) -> Iterable[Any]:
    """Open vote deadlines from the decisions app, if it is installed (it is optional here)."""
    if not apps.is_installed("alveole.decisions"):
        return []
    try:
        module = importlib.import_module("alveole.decisions.selectors")
    except ImportError:
        return []
    finder: Callable[[User], Iterable[Any]] | None = getattr(module, "open_deadlines_for", None)
    return finder(user) if finder is not None else []


def _field(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, dict) else getattr(item, name, None)


def build(user: User) -> bytes:
    stamp = timezone.now().replace(microsecond=0)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", _("Alvéole: %(name)s") % {"name": user.full_name})
    tasks = (
        visible_tasks(user)
        .filter(assignments__user=user, due_date__isnull=False)
        .exclude(status=TaskStatus.DONE)
        .select_related("space")
    )
    for task in tasks:
        assert task.due_date is not None
        summary = _("Task due: %(title)s") % {"title": task.title}
        cal.add_component(_event(_uid("task", task.pk, user), task.due_date, summary, stamp, task.space.name))
    spaces = list(calendar_spaces(user))
    for milestone in Milestone.objects.filter(space__in=spaces).select_related("space"):
        summary = _("Milestone: %(title)s") % {"title": milestone.title}
        cal.add_component(
            _event(_uid("milestone", milestone.pk, user), milestone.date, summary, stamp, milestone.space.name)
        )
    for plan in ProjectPlan.objects.filter(space__in=spaces, deadline__isnull=False).select_related("space"):
        assert plan.deadline is not None
        summary = _("Deadline: %(space)s") % {"space": plan.space.name}
        cal.add_component(_event(_uid("deadline", plan.space_id, user), plan.deadline, summary, stamp))
    for item in _decision_deadlines(user):
        when = _field(item, "deadline") or _field(item, "closes_at") or _field(item, "date")
        if when is None:
            continue
        day = timezone.localtime(when).date() if isinstance(when, datetime.datetime) else when
        title = _field(item, "title") or _field(item, "question") or ""
        pk = _field(item, "id") or _field(item, "pk")
        summary = _("Vote closes: %(title)s") % {"title": title}
        cal.add_component(_event(_uid("decision", pk, user), day, summary, stamp))
    return cal.to_ical()
