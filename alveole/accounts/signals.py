"""Sign-in events go to the audit log and the failure counters."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from alveole.core import audit
from alveole.core.context import client_ip_of

from .identity import active_account, find_identity
from .models import User
from .throttle import count_login_failure


def _account(request: HttpRequest | None, user: User) -> User | None:
    """The account a sign-in or sign-out is recorded against: its organisation's log shows it."""
    if user.organisation_id is not None:
        return user
    current = getattr(request, "account", None) if request is not None else None
    if isinstance(current, User) and current.identity_id == user.pk:
        return current
    return active_account(user)


@receiver(user_logged_in)
def audit_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    ip = client_ip_of(request) if request is not None else None
    account = _account(request, user)
    audit.record("login.success", actor=account, target=account, ip=ip)


@receiver(user_logged_out)
def audit_logout(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is not None and user.is_authenticated:
        ip = client_ip_of(request) if request is not None else None
        account = _account(request, user)
        audit.record("logout", actor=account, target=account, ip=ip)


@receiver(user_login_failed)
def audit_login_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    email = str(credentials.get("email") or credentials.get("username") or "").strip().lower()
    ip = client_ip_of(request) if request is not None else None
    count_login_failure(email, ip)
    # Unknown emails are logged without an organisation: nothing to attach them to. A known one is
    # logged in the organisation of the identity's active account.
    identity = find_identity(email) if email else None
    user = active_account(identity) if identity is not None else None
    audit.record(
        "login.failure",
        actor=None,
        organisation=user.organisation if user else None,
        target=user,
        label=email[:255],
        ip=ip,
    )
