"""Failed sign-in counting: per account and per IP, the same for known and unknown emails."""

from __future__ import annotations

from django.conf import settings

from alveole.core import ratelimit


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
