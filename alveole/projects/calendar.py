"""A person's iCalendar feed: their tasks' due dates, their project spaces' milestones and deadlines,
and open vote deadlines when the decisions app provides them. All-day events, stable UIDs."""

from __future__ import annotations

import datetime
import importlib
import zoneinfo
from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from alveole.accounts.mfa import require_mfa_set_up
from alveole.accounts.models import User
from alveole.core.secrets import hash_secret
from alveole.spaces import labels

from .access import visible_tasks
from .models import CalendarFeed, Milestone, ProjectPlan, TaskStatus
from .selectors import calendar_spaces

PRODID = "-//Alvéole//Alvéole calendar//EN"


def user_for_token(token: str) -> User | None:
    """The feed's owner, or None. Raises MFARequired while they must set up two-factor authentication:
    the feed shows the dates of private projects, and its address is a bearer token like any other."""
    feed = (
        CalendarFeed.objects.select_related("user", "user__organisation")
        .filter(token_hash=hash_secret(token), user__is_active=True)
        .first()
    )
    if feed is None:
        return None
    require_mfa_set_up(feed.user)
    return feed.user


def _uid(kind: str, pk: object, user: User) -> str:
    host = getattr(settings, "ALVEOLE_SITE_HOST", "") or "alveole"
    return f"{kind}-{pk}-u{user.pk}@{host}"


def _time_zone(user: User) -> datetime.tzinfo:
    try:
        return zoneinfo.ZoneInfo(user.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return datetime.UTC


def _day_of(when: datetime.date, zone: datetime.tzinfo) -> datetime.date | None:
    """The person's calendar day for a date or an instant; None when it has no such day (year 10000)."""
    if not isinstance(when, datetime.datetime):
        return when
    if timezone.is_naive(when):
        when = when.replace(tzinfo=datetime.UTC)  # stored without a zone: the database's UTC
    try:
        return when.astimezone(zone).date()
    except OverflowError:
        return None


def _event(uid: str, day: datetime.date, summary: str, stamp: datetime.datetime, description: str = "") -> Event | None:
    """An all-day event, or None for the last representable day: its end (the next day) does not exist.

    Dates stored before input was bounded can be that far out; one of them must not break the whole
    feed, which calendar apps then stop refreshing."""
    if day >= datetime.date.max:
        return None
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
    events: list[Event | None] = []
    # A calendar app is outside Alvéole: confidential titles (spaces.labels) become a placeholder.
    secret = str(labels.CONFIDENTIAL_PLACEHOLDER)
    tasks = (
        visible_tasks(user)
        .filter(assignments__user=user, due_date__isnull=False)
        .exclude(status=TaskStatus.DONE)
        .select_related("space__label", "source_post__label", "source_post__space__label")
    )
    for task in tasks:
        assert task.due_date is not None
        hidden = labels.is_restricted(task.space) or labels.is_restricted(task.source_post)
        summary = _("Task due: %(title)s") % {"title": secret if hidden else task.title}
        events.append(_event(_uid("task", task.pk, user), task.due_date, summary, stamp, task.space.name))
    spaces = list(calendar_spaces(user))
    for milestone in Milestone.objects.filter(space__in=spaces).select_related("space__label"):
        title = secret if labels.is_restricted(milestone.space) else milestone.title
        summary = _("Milestone: %(title)s") % {"title": title}
        events.append(
            _event(_uid("milestone", milestone.pk, user), milestone.date, summary, stamp, milestone.space.name)
        )
    for plan in ProjectPlan.objects.filter(space__in=spaces, deadline__isnull=False).select_related("space"):
        assert plan.deadline is not None
        summary = _("Deadline: %(space)s") % {"space": plan.space.name}
        events.append(_event(_uid("deadline", plan.space_id, user), plan.deadline, summary, stamp))
    zone = _time_zone(user)
    for item in _decision_deadlines(user):
        when = _field(item, "deadline") or _field(item, "closes_at") or _field(item, "date")
        day = _day_of(when, zone) if isinstance(when, datetime.date) else None
        if day is None:
            continue
        title = secret if _field(item, "confidential") else (_field(item, "title") or _field(item, "question") or "")
        pk = _field(item, "id") or _field(item, "pk")
        summary = _("Vote closes: %(title)s") % {"title": title}
        events.append(_event(_uid("decision", pk, user), day, summary, stamp))
    for event in events:
        if event is not None:
            cal.add_component(event)
    return cal.to_ical()
