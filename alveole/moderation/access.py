"""Who sees and settles reports: the managers of the item's space, and the organisation's admins
(every space they can see, and profile posts) — the same people feed's access lets see hidden items."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from alveole.accounts.models import User
from alveole.core.errors import NotFound
from alveole.spaces.access import visible_spaces
from alveole.spaces.models import SpaceMembership, SpaceRole

from .models import Report


def moderated_reports(viewer: User) -> QuerySet[Report]:
    """Every report (any status) that `viewer` may read and settle."""
    if not viewer.is_authenticated or not viewer.is_active or viewer.is_guest:
        return Report.objects.none()
    qs = Report.objects.filter(organisation_id=viewer.organisation_id)
    if viewer.is_org_admin:
        return qs.filter(Q(space_id__in=visible_spaces(viewer).values("pk")) | Q(space__isnull=True))
    managed = SpaceMembership.objects.filter(user_id=viewer.pk, role=SpaceRole.MANAGER).values("space_id")
    return qs.filter(space_id__in=managed)


def moderates_anything(viewer: User) -> bool:
    """Whether the moderation page has anything for `viewer` (admins always have it)."""
    if not viewer.is_authenticated or viewer.is_guest:
        return False
    return viewer.is_org_admin or SpaceMembership.objects.filter(user_id=viewer.pk, role=SpaceRole.MANAGER).exists()


def get_report_for(viewer: User, report_id: int | str) -> Report:
    try:
        return (
            moderated_reports(viewer)
            .select_related("post", "post__space", "comment", "comment__post")
            .get(pk=int(report_id))
        )
    except (Report.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
