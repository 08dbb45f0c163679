"""Failed sign-in counting: per account and per IP, the same for known and unknown emails."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from alveole.core import audit, ratelimit
from alveole.core.context import current_client_ip
from alveole.core.errors import RateLimited

from .identity import active_account, identity_of
from .models import User


def _limits() -> tuple[int, int, int]:
    return (
        settings.ALVEOLE_LOGIN_FAILURES_PER_ACCOUNT,
        settings.ALVEOLE_LOGIN_FAILURES_PER_IP,
        settings.ALVEOLE_LOGIN_FAILURE_WINDOW,
    )


def login_retry_after(email: str, ip: str | None) -> int | None:
    """Seconds until this email or IP may try again, or None when allowed."""
    per_account, per_ip, window = _limits()
    waits = [ratelimit.retry_after("login:account", email.strip().lower(), limit=per_account, window=window)]
    if ip:
        waits.append(ratelimit.retry_after("login:ip", ip, limit=per_ip, window=window))
    blocked = [w for w in waits if w is not None]
    return max(blocked) if blocked else None


def count_login_failure(email: str, ip: str | None) -> None:
    _per_account, _per_ip, window = _limits()
    ratelimit.add_hit("login:account", email.strip().lower(), window=window)
    if ip:
        ratelimit.add_hit("login:ip", ip, window=window)


def too_many_failures_message(wait: int) -> str:
    minutes = max(1, (wait + 59) // 60)
    return _("Too many wrong passwords for this account. Try again in %(minutes)d minutes, or reset your password.") % {
        "minutes": minutes
    }


def check_password_again(user: User, password: str, *, step: str) -> bool:
    """Whether `password` is the person's, when they re-enter it to confirm a sensitive step (`step`).

    Shares the sign-in counters, per account and per IP: a borrowed session or a stolen cookie must not
    become a way to guess the password, and guesses here count towards the sign-in lock. Once over the
    limit it raises RateLimited even for the right password, as sign-in does. Call it outside the
    step's transaction, so that the audit rows of failures stay.

    `user` is an account or an identity: the password and the counters are the identity's, the audit
    rows go to the account (an identity's active one) so that its organisation sees them.
    """
    identity = identity_of(user)
    account = user if user.organisation_id is not None else active_account(identity)
    login = identity.login_email or user.email
    ip = current_client_ip()
    wait = login_retry_after(login, ip)
    if wait is not None:
        audit.record("login.throttled", actor=account, target=account, ip=ip, step=step)
        raise RateLimited(too_many_failures_message(wait), retry_after=wait)
    if password and identity.check_password(password):
        return True
    count_login_failure(login, ip)
    audit.record("login.failure", actor=account, target=account, label=login, ip=ip, step=step)
    return False
