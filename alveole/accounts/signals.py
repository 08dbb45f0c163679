"""Sign-in events go to the audit log and the failure counters."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from alveole.core import audit
from alveole.core.context import client_ip_of

from .models import User
from .throttle import count_login_failure


@receiver(user_logged_in)
def audit_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    ip = client_ip_of(request) if request is not None else None
    audit.record("login.success", actor=user, target=user, ip=ip)


@receiver(user_logged_out)
def audit_logout(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is not None and user.is_authenticated:
        ip = client_ip_of(request) if request is not None else None
        audit.record("logout", actor=user, target=user, ip=ip)


@receiver(user_login_failed)
def audit_login_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    email = str(credentials.get("email") or credentials.get("username") or "").strip().lower()
    ip = client_ip_of(request) if request is not None else None
    count_login_failure(email, ip)
    # Unknown emails are logged without an organisation: nothing to attach them to.
    user = User.objects.filter(email__iexact=email).select_related("organisation").first() if email else None
    audit.record(
        "login.failure",
        actor=None,
        organisation=user.organisation if user else None,
        target=user,
        label=email[:255],
        ip=ip,
    )
