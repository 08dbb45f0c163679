"""Read queries for organisation pages and the API, already scoped to the viewer."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from alveole.accounts.models import User
from alveole.core.models import AuditEvent
from alveole.spaces.models import Space
from alveole.spaces.people import people_visible_to

from .access import require_org_admin


def search_people(viewer: User, *, query: str = "", role: str = "", include_inactive: bool = False) -> QuerySet[User]:
    qs = people_visible_to(viewer, include_inactive=include_inactive)
    if query:
        qs = qs.filter(Q(full_name__icontains=query) | Q(email__icontains=query) | Q(title__icontains=query))
    if role:
        qs = qs.filter(role=role)
    return qs


def audit_events_for(viewer: User) -> QuerySet[AuditEvent]:
    require_org_admin(viewer)
    return AuditEvent.objects.filter(organisation_id=viewer.org_id).select_related("actor")


def filter_audit(
    rows: QuerySet[AuditEvent],
    *,
    person: int | None = None,
    action: str = "",
    space: int | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet[AuditEvent]:
    """The audit rows of one person, action, space or span of days (inclusive, in the current time zone).

    A row is about a space when the space is its target or its data names it (`space=<id>`)."""
    if person is not None:
        rows = rows.filter(actor_id=person)
    if action:
        rows = rows.filter(action=action)
    if space is not None:
        rows = rows.filter(Q(target_type="space", target_id=space) | Q(data__space=space))
    if since is not None:
        rows = rows.filter(created_at__date__gte=since)
    if until is not None:
        rows = rows.filter(created_at__date__lte=until)
    return rows


def audit_filter_choices(viewer: User) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The people and the spaces an admin can filter the audit log by: all of the organisation's."""
    require_org_admin(viewer)
    people = search_people(viewer, include_inactive=True).order_by("full_name", "pk").values_list("pk", "full_name")
    spaces = Space.objects.filter(organisation_id=viewer.org_id).order_by("name", "pk")
    return list(people), list(spaces.values_list("pk", "name"))
