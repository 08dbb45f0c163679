"""The organisation's policies on spaces: who may create them, who may add guests to them.

Each rule is decided here once; the actions refuse with these sentences and the pages ask
the same functions before showing a button. The values are read from `space.organisation` /
`actor.organisation` (see core/policies.py), so nothing here imports `orgs`.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from alveole.accounts.models import User
from alveole.core.errors import PermissionDenied
from alveole.core.policies import GuestAdders, SpaceCreators

from . import labels
from .access import can_manage, membership_of
from .models import Space, SpaceMembership, SpaceRole


def _manages_a_space(actor: User) -> bool:
    return SpaceMembership.objects.filter(user=actor, role=SpaceRole.MANAGER, space__archived_at__isnull=True).exists()


def _creator_refusal(actor: User, rule: str, *, guests: str, admins: str, managers: str) -> str:
    """The one reading of a SpaceCreators rule; the sentences say what is being created."""
    if actor.is_guest:
        return guests
    if rule == SpaceCreators.ADMINS and not actor.is_org_admin:
        return admins
    if rule == SpaceCreators.MANAGERS and not actor.is_org_admin and not _manages_a_space(actor):
        return managers
    return ""


def _refuse(refusal: str) -> None:
    if refusal:
        raise PermissionDenied(refusal)


def space_creation_refusal(actor: User) -> str:
    """Why `actor` may not create a space, or "" when they may."""
    return _creator_refusal(
        actor,
        actor.org.space_creators,
        guests=_("Guests cannot create spaces."),
        admins=_("Your organisation lets only admins create spaces."),
        managers=_("Your organisation lets only space managers and admins create spaces."),
    )


def may_create_space(actor: User) -> bool:
    return not space_creation_refusal(actor)


def check_may_create_space(actor: User) -> None:
    _refuse(space_creation_refusal(actor))


def guest_adding_refusal(actor: User, space: Space) -> str:
    """Why `actor` may not add a guest to `space`, or "" when they may."""
    rule = space.organisation.guest_adders
    if rule == GuestAdders.ADMINS:
        if actor.is_org_admin and can_manage(actor, space):
            return ""
        return _("Your organisation lets only admins add guests to spaces.")
    if can_manage(actor, space):
        return ""
    if rule == GuestAdders.MEMBERS and not actor.is_guest and membership_of(actor, space) is not None:
        return ""
    if rule == GuestAdders.MEMBERS:
        return _("Only the space's members can add guests to it.")
    return _("Your organisation lets only space managers and admins add guests to spaces.")


def guest_invitation_refusal(actor: User, space: Space) -> str:
    """Why `actor` may not invite someone new into `space` as its guest, or "" when they may.

    The organisation's guest policy (guest_adding_refusal) decides who; confidential content never
    reaches a guest (spaces.labels), so a space holding some takes no guest invitations."""
    if actor.is_guest:
        return _("Guests cannot invite people.")
    refusal = guest_adding_refusal(actor, space)
    if refusal:
        return refusal
    if labels.is_restricted(space):
        return _("“%(space)s” carries the confidential label %(label)s: guests cannot be invited to it.") % {
            "space": space.name,
            "label": labels.space_label(space),
        }
    if labels.holds_restricted_content(space):
        return _("“%(space)s” holds confidential posts: guests cannot be invited to it.") % {"space": space.name}
    return ""


def may_add_guests(actor: User, space: Space) -> bool:
    return not guest_adding_refusal(actor, space)


def check_may_add_guest(actor: User, space: Space) -> None:
    _refuse(guest_adding_refusal(actor, space))


def confidential_space_refusal(actor: User) -> str:
    """Why `actor` may not give a space a confidential (restricted) label, or take it away; "" when they may."""
    return _creator_refusal(
        actor,
        actor.org.confidential_space_creators,
        guests=_("Guests cannot create confidential spaces."),
        admins=_("Your organisation lets only admins create confidential spaces."),
        managers=_("Your organisation lets only space managers and admins create confidential spaces."),
    )


def may_create_confidential_space(actor: User) -> bool:
    return not confidential_space_refusal(actor)


def check_may_create_confidential_space(actor: User) -> None:
    _refuse(confidential_space_refusal(actor))
