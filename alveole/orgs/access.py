"""Who may see whom, and the organisation-level lookups."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from alveole.accounts.models import User
from alveole.core.errors import NotFound, PermissionDenied

from .models import Invitation

ADMIN_ONLY = _("Only the organisation's owners and admins can do this.")


def require_org_admin(viewer: User) -> None:
    if not viewer.is_authenticated or not viewer.is_org_admin:
        raise PermissionDenied(ADMIN_ONLY)


def shown_invitation_link(viewer: User, link: str) -> str:
    """The link as the inviter may see it: admins get it to pass on; anyone else only through the email,
    so that only whoever reads that address can accept (a member cannot open a guest account in a
    stranger's name)."""
    return link if viewer.is_org_admin else ""


def invitations_for(viewer: User) -> QuerySet[Invitation]:
    require_org_admin(viewer)
    return Invitation.objects.filter(organisation_id=viewer.org_id).select_related("invited_by")


def get_invitation_for(viewer: User, invitation_id: int | str) -> Invitation:
    if not viewer.is_authenticated or not viewer.is_org_admin:
        raise NotFound()
    try:
        return invitations_for(viewer).get(pk=int(invitation_id))
    except (Invitation.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
