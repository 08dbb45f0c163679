"""Two-factor authentication required of owners and admins: the one rule every door applies.

While an organisation requires it and an owner or admin has not set it up, only the web app's account
pages serve them (to set it up). Every other door refuses them: the browser session
(`RequireMFAMiddleware`), personal access tokens (API and WebSocket, through `authenticate_token`),
creating a token, the calendar feed and email replies. Otherwise a password alone, or a token made
before the requirement, would still act with an admin's rights.
"""

from __future__ import annotations

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.http import HttpRequest
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


def session_meets_mfa(request: HttpRequest, account: User) -> bool:
    """Whether this browser session may open `account` as its organisation requires: an owner or admin
    of an organisation that requires two-factor, who has it, must have used it to sign in (an account
    still without it is sent to set it up by RequireMFAMiddleware, as at sign-in)."""
    org = account.organisation
    if org is None or not (account.is_org_admin and org.require_mfa_for_admins and has_totp(account)):
        return True
    identity = getattr(request, "identity", None) or account
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, identity))
