"""The one door to spaces: every lookup starts from the viewer."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet

from alveole.accounts.models import Role, User
from alveole.core.errors import NotFound

from .models import Space, SpaceMembership, SpaceRole, Visibility


def visible_spaces(viewer: User) -> QuerySet[Space]:
    """Spaces the viewer may see: their own, plus open ones unless they are a guest."""
    if not viewer.is_authenticated or not viewer.is_active:
        return Space.objects.none()
    mine = Exists(SpaceMembership.objects.filter(space=OuterRef("pk"), user=viewer))
    qs = Space.objects.filter(organisation_id=viewer.organisation_id)
    if viewer.is_guest:
        return qs.filter(mine)
    return qs.filter(Q(visibility=Visibility.OPEN) | mine)


def get_space_for(viewer: User, space_id: int | str) -> Space:
    try:
        return visible_spaces(viewer).get(pk=int(space_id))
    except (Space.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def membership_of(viewer: User, space: Space) -> SpaceMembership | None:
    if not viewer.is_authenticated:
        return None
    return SpaceMembership.objects.filter(space=space, user=viewer).first()


def can_manage(viewer: User, space: Space, membership: SpaceMembership | None = None) -> bool:
    """Space managers manage a space; org owners and admins manage the spaces they can see."""
    if viewer.organisation_id != space.organisation_id or viewer.is_guest:
        return False
    membership = membership if membership is not None else membership_of(viewer, space)
    if membership is not None and membership.role == SpaceRole.MANAGER:
        return True
    return viewer.is_org_admin and (space.is_open or membership is not None)


def managed_among(viewer: User, spaces: Iterable[Space]) -> set[int]:
    """The ids of `spaces` that `viewer` manages: `can_manage` for many spaces in one query."""
    spaces = list(spaces)
    if viewer.is_guest or not spaces:
        return set()
    roles = dict(
        SpaceMembership.objects.filter(user=viewer, space_id__in=[s.pk for s in spaces]).values_list("space_id", "role")
    )
    return {
        space.pk
        for space in spaces
        if space.organisation_id == viewer.organisation_id
        and (roles.get(space.pk) == SpaceRole.MANAGER or (viewer.is_org_admin and (space.is_open or space.pk in roles)))
    }


def shares_a_space(viewer: User, other: User) -> bool:
    return SpaceMembership.objects.filter(
        user=other, space__in=SpaceMembership.objects.filter(user=viewer).values("space")
    ).exists()


def readers_filter(space: Space | None) -> Q:
    """A filter on users: the people who can read `space` (None: profile posts, read by non-guests)."""
    if space is None:
        return ~Q(role=Role.GUEST)
    members = Q(space_memberships__space=space)
    return members | ~Q(role=Role.GUEST) if space.is_open else members
