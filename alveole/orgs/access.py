"""Who may see whom, and the organisation-level lookups."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from alveole.accounts.models import Role, User
from alveole.core.errors import NotFound, PermissionDenied
from alveole.spaces.access import can_manage
from alveole.spaces.models import Space

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


def guest_invitations_in(viewer: User, space: Space) -> QuerySet[Invitation]:
    """The pending guest invitations into `space` the viewer may see and revoke: all of them for those
    who manage it (its managers, admins), else the ones the viewer sent (as the guest policy let them)."""
    if not viewer.is_authenticated or viewer.is_guest or space.organisation_id != viewer.org_id:
        return Invitation.objects.none()
    pending = Invitation.objects.filter(
        organisation_id=viewer.org_id, role=Role.GUEST, spaces=space, accepted_at__isnull=True, revoked_at__isnull=True
    )
    if not can_manage(viewer, space):
        pending = pending.filter(invited_by=viewer)
    return pending.select_related("invited_by").order_by("-created_at", "-pk")


def may_revoke(viewer: User, invitation: Invitation) -> bool:
    """Admins revoke any invitation of their organisation; a guest invitation, also whoever manages one of
    its spaces, and whoever sent it."""
    if not viewer.is_authenticated or invitation.organisation_id != viewer.org_id or viewer.is_guest:
        return False
    if viewer.is_org_admin:
        return True
    if invitation.role != Role.GUEST:
        return False
    return invitation.invited_by_id == viewer.pk or any(can_manage(viewer, s) for s in invitation.spaces.all())
