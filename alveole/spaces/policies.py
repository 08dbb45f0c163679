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

from .access import can_manage, membership_of
from .models import Space, SpaceMembership, SpaceRole


def space_creation_refusal(actor: User) -> str:
    """Why `actor` may not create a space, or "" when they may."""
    if actor.is_guest:
        return _("Guests cannot create spaces.")
    rule = actor.organisation.space_creators
    if rule == SpaceCreators.ADMINS and not actor.is_org_admin:
        return _("Your organisation lets only admins create spaces.")
    if rule == SpaceCreators.MANAGERS and not actor.is_org_admin:
        manages = SpaceMembership.objects.filter(
            user=actor, role=SpaceRole.MANAGER, space__archived_at__isnull=True
        ).exists()
        if not manages:
            return _("Your organisation lets only space managers and admins create spaces.")
    return ""


def may_create_space(actor: User) -> bool:
    return not space_creation_refusal(actor)


def check_may_create_space(actor: User) -> None:
    refusal = space_creation_refusal(actor)
    if refusal:
        raise PermissionDenied(refusal)


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


def may_add_guests(actor: User, space: Space) -> bool:
    return not guest_adding_refusal(actor, space)


def check_may_add_guest(actor: User, space: Space) -> None:
    refusal = guest_adding_refusal(actor, space)
    if refusal:
        raise PermissionDenied(refusal)
