from __future__ import annotations

from django.db.models import QuerySet

from alveole.accounts.models import User
from alveole.core.errors import NotFound

from .models import Export


def exports_of(viewer: User) -> QuerySet[Export]:
    """A person sees the exports they asked for (an export holds what *they* could see)."""
    mine = Export.objects.filter(organisation_id=viewer.org_id, requested_by=viewer)
    return mine.select_related("space__label")


def get_export_for(viewer: User, export_id: int | str) -> Export:
    try:
        return exports_of(viewer).get(pk=int(export_id))
    except (Export.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
