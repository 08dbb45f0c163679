"""Read queries for organisation pages and the API, already scoped to the viewer."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from alveole.accounts.models import User
from alveole.core.models import AuditEvent
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
    return AuditEvent.objects.filter(organisation_id=viewer.organisation_id).select_related("actor")
