"""Who sees which insights: the one rule, written once.

Insights are figures about the spaces one looks after: an organisation's owners and admins see every
space they can see (the spaces they manage, as `spaces.access.can_manage` says) and the profile
posts; a space's managers see the spaces they manage, and nothing else. Members and guests who manage
no space are refused with a sentence (the page is no secret); a space the viewer cannot see answers
404 like a missing id, and one they see but do not manage 403, as a space's settings do.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from alveole.accounts.models import User
from alveole.core.errors import PermissionDenied
from alveole.spaces.access import get_space_for, visible_spaces
from alveole.spaces.models import Space, SpaceMembership, SpaceRole


@dataclass(frozen=True)
class Scope:
    """What one viewer's figures count: these spaces, and (admins, organisation-wide) profile posts."""

    organisation_id: int
    space_ids: tuple[int, ...]
    profiles: bool
    space: Space | None  # the space filter, when one is chosen
    spaces: tuple[Space, ...]  # every space the viewer may choose, by name


def insight_spaces(viewer: User) -> QuerySet[Space]:
    """The spaces whose insights `viewer` sees: every space an admin sees; the ones a manager manages."""
    if not viewer.is_authenticated or not viewer.is_active or viewer.is_guest:
        return Space.objects.none()
    spaces = visible_spaces(viewer)
    if viewer.is_org_admin:
        return spaces
    managed = SpaceMembership.objects.filter(user_id=viewer.pk, role=SpaceRole.MANAGER).values("space_id")
    return spaces.filter(pk__in=managed)


def may_see_insights(viewer: User) -> bool:
    """Whether `viewer` has an insights page (admins always; managers of at least one space)."""
    if not viewer.is_authenticated or not viewer.is_active or viewer.is_guest:
        return False
    return viewer.is_org_admin or insight_spaces(viewer).exists()


def scope_for(viewer: User, space_id: int | str | None = None) -> Scope:
    """The viewer's scope, narrowed to one space when `space_id` is given.

    One query (two when the chosen space is not among the viewer's): refused with 403 for someone
    who manages nothing, 404 for a space they cannot see, 403 for one they see but do not manage.
    """
    if not viewer.is_authenticated or not viewer.is_active:
        raise PermissionDenied(_("Insights are for the organisation's admins and the managers of a space."))
    spaces = tuple(insight_spaces(viewer).order_by("name", "pk"))
    if not viewer.is_org_admin and not spaces:
        raise PermissionDenied(_("Insights are for the organisation's admins and the managers of a space."))
    org_id = viewer.org_id
    if space_id is None or space_id == "":
        return Scope(org_id, tuple(s.pk for s in spaces), viewer.is_org_admin, None, spaces)
    chosen = next((s for s in spaces if str(s.pk) == str(space_id).strip()), None)
    if chosen is None:
        get_space_for(viewer, space_id)  # a space the viewer cannot see (or no such id): 404
        raise PermissionDenied(_("Only the space's managers and the organisation's admins see its insights."))
    return Scope(org_id, (chosen.pk,), False, chosen, spaces)
