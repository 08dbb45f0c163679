"""Read queries for space pages and the API, already scoped to the viewer."""

from __future__ import annotations

from django.db.models import Case, Count, F, OuterRef, Q, QuerySet, Subquery, When

from alveole.accounts.models import User

from .access import visible_spaces
from .models import Space, SpaceMembership, SpaceRole


def spaces_for(viewer: User, *, query: str = "", mine: bool = False, archived: bool | None = None) -> QuerySet[Space]:
    """Visible spaces, each with `member_count`, `my_role` and `my_starred` annotated."""
    mine_qs = SpaceMembership.objects.filter(space=OuterRef("pk"), user=viewer)
    qs = (
        visible_spaces(viewer)
        .select_related("label")
        .annotate(
            member_count=Count("memberships", distinct=True),
            my_role=Subquery(mine_qs.values("role")[:1]),
            my_starred=Subquery(mine_qs.values("starred")[:1]),
        )
    )
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(description__icontains=query))
    if mine:
        qs = qs.filter(my_role__isnull=False)
    if archived is not None:
        qs = qs.filter(archived_at__isnull=not archived)
    return qs


def my_open_spaces(viewer: User) -> QuerySet[Space]:
    """The spaces the viewer belongs to and may still write in, starred first: the left nav, the
    composer's space list, the home page, notification settings."""
    return spaces_for(viewer, mine=True, archived=False).order_by(F("my_starred").desc(), "name", "id")


def members_of(space: Space) -> QuerySet[SpaceMembership]:
    """Memberships of a space the viewer already may see (check with access first)."""
    return (
        SpaceMembership.objects.filter(space=space, user__is_active=True)
        .select_related("user")
        .order_by(Case(When(role=SpaceRole.MANAGER, then=0), default=1), "user__full_name", "user_id")
    )
