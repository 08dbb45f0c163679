"""Who may see whom. Shared spaces decide it (a client's name is itself confidential), so the rule lives
with the spaces; the people directory, mentions, member pickers and presence all ask here."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from typing import Protocol

from django.db.models import Exists, OuterRef, Q, QuerySet

from alveole.accounts.models import Role, User
from alveole.core.errors import NotFound

from .models import SpaceMembership


def people_visible_to(viewer: User, *, include_inactive: bool = False) -> QuerySet[User]:
    """People the viewer may see.

    Owners and admins see everyone in the organisation. Members see the other
    members, and guests only when they share a space with them (a client's name
    is itself confidential). Guests see only the people of their spaces.
    """
    if not viewer.is_authenticated or not viewer.is_active:
        return User.objects.none()
    qs = User.objects.filter(organisation_id=viewer.org_id)
    if not (include_inactive and viewer.is_org_admin):
        qs = qs.filter(is_active=True)
    if viewer.is_org_admin:
        return qs
    my_spaces = SpaceMembership.objects.filter(user=viewer).values("space")
    shares = Exists(SpaceMembership.objects.filter(user=OuterRef("pk"), space__in=my_spaces))
    if viewer.is_guest:
        return qs.filter(shares | Q(pk=viewer.pk))
    return qs.filter(~Q(role=Role.GUEST) | shares)


def get_person_for(viewer: User, user_id: int | str, *, include_inactive: bool = False) -> User:
    try:
        return people_visible_to(viewer, include_inactive=include_inactive).get(pk=int(user_id))
    except (User.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


class Someone(Protocol):
    """A person as the live layer holds them in memory (a SpaceAccess, a socket)."""

    @property
    def is_guest(self) -> bool: ...

    @property
    def is_admin(self) -> bool: ...

    @property
    def member_spaces(self) -> AbstractSet[int]: ...


def sees(viewer: Someone, subject: Someone) -> bool:
    """people_visible_to between two people whose access is already loaded (presence on the live layer);
    a test keeps the two equal. Admins see everyone; a guest, and anyone looking at a guest, only
    through a shared space."""
    if viewer.is_admin:
        return True
    if viewer.is_guest or subject.is_guest:
        return bool(viewer.member_spaces & subject.member_spaces)
    return True
