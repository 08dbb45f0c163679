"""The one door to spaces: every lookup starts from the viewer."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from alveole.accounts.models import Role, User
from alveole.core.errors import Conflict, NotFound

from .models import Space, SpaceMembership, SpaceRole, Visibility


class SpaceAccess(NamedTuple):
    """What one person may see, loaded once for the live layer."""

    is_guest: bool
    spaces: frozenset[int]  # visible: their own, plus the open ones unless a guest
    member_spaces: frozenset[int]
    is_admin: bool = False  # owners and admins (they see every person)


def visible_spaces(viewer: User) -> QuerySet[Space]:
    """Spaces the viewer may see: their own, plus open ones unless they are a guest."""
    if not viewer.is_authenticated or not viewer.is_active:
        return Space.objects.none()
    mine = Exists(SpaceMembership.objects.filter(space=OuterRef("pk"), user=viewer))
    qs = Space.objects.filter(organisation_id=viewer.org_id)
    if viewer.is_guest:
        # Confidential spaces take no guests (spaces.labels); this is the backstop.
        return qs.filter(mine).exclude(label__restricted=True)
    return qs.filter(Q(visibility=Visibility.OPEN) | mine)


def visible_space_ids_many(user_ids: Iterable[int]) -> dict[int, SpaceAccess | None]:
    """visible_spaces in its batch form, for the live layer: the SpaceAccess of many people in three
    queries. A test keeps it equal to visible_spaces.

    A person sees the spaces they belong to, plus their organisation's open spaces
    unless they are a guest; None for anyone deactivated or gone.
    """
    people = {
        pk: (org_id, role)
        for pk, org_id, role in User.objects.filter(pk__in=user_ids, is_active=True).values_list(
            "pk", "organisation_id", "role"
        )
    }
    member: dict[int, set[int]] = {pk: set() for pk in people}
    restricted: set[int] = set()
    rows = SpaceMembership.objects.filter(user_id__in=people).values_list(
        "user_id", "space_id", "space__label__restricted"
    )
    for user_id, space_id, confidential in rows:
        member[user_id].add(space_id)
        if confidential:
            restricted.add(space_id)
    open_spaces: dict[int, set[int]] = {}
    orgs = {org_id for org_id, _role in people.values()}
    for org_id, space_id in Space.objects.filter(organisation_id__in=orgs, visibility=Visibility.OPEN).values_list(
        "organisation_id", "pk"
    ):
        open_spaces.setdefault(org_id, set()).add(space_id)
    states: dict[int, SpaceAccess | None] = dict.fromkeys(user_ids)
    for pk, (org_id, role) in people.items():
        guest = role == Role.GUEST
        visible = member[pk] - restricted if guest else member[pk] | open_spaces.get(org_id, set())
        admin = role in (Role.OWNER, Role.ADMIN)
        states[pk] = SpaceAccess(guest, frozenset(visible), frozenset(member[pk]), admin)
    return states


def get_space_for(viewer: User, space_id: int | str) -> Space:
    try:
        return visible_spaces(viewer).select_related("label").get(pk=int(space_id))
    except (Space.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def check_space_open_for_changes(space: Space | None, *, restore_hint: bool = False) -> None:
    """Refuse any change inside an archived space: it stays read-only until a manager restores it.

    `None` is the space of a profile post: there is nothing to archive. `restore_hint` says how
    to undo it, for changes to the space itself (its settings and members), made by its managers.
    """
    if space is None or not space.is_archived:
        return
    if restore_hint:
        raise Conflict(_("This space is archived and read-only. A manager can restore it first."))
    raise Conflict(_("This space is archived and read-only."))


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
