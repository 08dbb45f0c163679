"""Per-request facts that actions need without taking the request (the client IP)."""

from __future__ import annotations

from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest

_client_ip: ContextVar[str | None] = ContextVar("alveole_client_ip", default=None)


def client_ip_of(request: HttpRequest) -> str | None:
    if settings.ALVEOLE_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def set_client_ip(ip: str | None) -> None:
    _client_ip.set(ip)


def current_client_ip() -> str | None:
    return _client_ip.get()
