"""Sign-in events go to the audit log and the failure counters; changes that may refuse a token empty
every process's token cache."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest

from alveole.core import audit
from alveole.core.context import client_ip_of

from . import token_cache
from .identity import active_account, find_identity
from .models import AccessToken, User
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


# --- the token cache (token_cache.py) ------------------------------------------------------------------------------
# Model signals rather than calls in each action: a token must stop working however its account, organisation or
# two-factor set-up was changed (actions, SCIM, the identity provider, the admin site, `alveole` commands). Writes
# made with QuerySet.update() send no signal and call token_cache.invalidate() themselves.


@receiver(post_save, sender=User)
def forget_tokens_of_changed_account(sender: Any, instance: User, update_fields: Any = None, **kwargs: Any) -> None:
    # A role, the active flag, a name: the cache hands out the account as it was read. Recording a sign-in is not
    # a change that matters (and happens at every sign-in).
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    token_cache.invalidate()


@receiver(post_save, sender=AccessToken)
def forget_changed_token(sender: Any, instance: AccessToken, created: bool = False, **kwargs: Any) -> None:
    if not created:  # a new token is in no cache yet
        token_cache.invalidate()


@receiver(post_save, sender="orgs.Organisation")
@receiver(post_save, sender=Authenticator)
def forget_tokens_after_settings_change(sender: Any, **kwargs: Any) -> None:
    # The two-factor rule, or a person's two-factor set-up; the organisation's other settings ride along.
    token_cache.invalidate()


@receiver(post_delete, sender=AccessToken)
@receiver(post_delete, sender=User)
@receiver(post_delete, sender="orgs.Organisation")
@receiver(post_delete, sender=Authenticator)
def forget_tokens_after_delete(sender: Any, **kwargs: Any) -> None:
    token_cache.invalidate()
