"""Two-factor authentication required of owners and admins: the one rule every door applies.

While an organisation requires it and an owner or admin has not set it up, only the web app's account
pages serve them (to set it up). Every other door refuses them: the browser session
(`RequireMFAMiddleware`), personal access tokens (API and WebSocket, through `authenticate_token`),
creating a token, the calendar feed and email replies. Otherwise a password alone, or a token made
before the requirement, would still act with an admin's rights.
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.utils.translation import gettext_lazy as _

from alveole.core.errors import PermissionDenied

from .models import User


class MFARequired(PermissionDenied):
    code = "mfa_required"
    default_message = _(
        "Your organisation requires owners and admins to use two-factor authentication: "
        "sign in to the web app and set it up under Security (/accounts/2fa/) first."
    )


def has_totp(user: User) -> bool:
    """Authenticators belong to the identity: one set-up serves every account of the person."""
    identity_id = user.pk if user.organisation_id is None else user.identity_id
    return Authenticator.objects.filter(user_id=identity_id, type=Authenticator.Type.TOTP).exists()


def must_set_up_mfa(user: User) -> bool:
    """True while this person is required to use two-factor authentication and has not set it up."""
    return (
        user.is_active
        and user.organisation is not None
        and user.is_org_admin
        and user.organisation.require_mfa_for_admins
        and not has_totp(user)
    )


def require_mfa_set_up(user: User) -> None:
    if must_set_up_mfa(user):
        raise MFARequired()
