"""Who may see whom, and the organisation-level lookups."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from alveole.accounts.models import Role, User
from alveole.core.errors import NotFound, PermissionDenied
from alveole.spaces.models import SpaceMembership

from .models import Invitation

ADMIN_ONLY = _("Only the organisation's owners and admins can do this.")


def people_visible_to(viewer: User, *, include_inactive: bool = False) -> QuerySet[User]:
    """People the viewer may see.

    Owners and admins see everyone in the organisation. Members see the other
    members, and guests only when they share a space with them (a client's name
    is itself confidential). Guests see only the people of their spaces.
    """
    if not viewer.is_authenticated or not viewer.is_active:
        return User.objects.none()
    qs = User.objects.filter(organisation_id=viewer.organisation_id)
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


def require_org_admin(viewer: User) -> None:
    if not viewer.is_authenticated or not viewer.is_org_admin:
        raise PermissionDenied(ADMIN_ONLY)


def invitations_for(viewer: User) -> QuerySet[Invitation]:
    require_org_admin(viewer)
    return Invitation.objects.filter(organisation_id=viewer.organisation_id).select_related("invited_by")


def get_invitation_for(viewer: User, invitation_id: int | str) -> Invitation:
    if not viewer.is_authenticated or not viewer.is_org_admin:
        raise NotFound()
    try:
        return invitations_for(viewer).get(pk=int(invitation_id))
    except (Invitation.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
