from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.http import HttpRequest

from alveole.accounts.identity import organisations_of
from alveole.conversations.selectors import unread_count as unread_message_count
from alveole.notifications.selectors import unread_count
from alveole.spaces.selectors import my_open_spaces

NAV_SPACES_LIMIT = 12


def alveole(request: HttpRequest) -> dict:
    """Layout data: `user` is the active account (also on allauth's pages), the viewer's spaces for the
    left nav (starred first) and the unread notification count, each loaded only when shown."""
    # On allauth's pages request.user is the signed-in identity; the layout shows the active account.
    account = getattr(request, "account", None)
    user = account if account is not None else getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated and user.is_active)

    @cache
    def nav_spaces() -> list:
        if not signed_in:
            return []
        qs = my_open_spaces(user)  # type: ignore[arg-type]
        return list(qs[:NAV_SPACES_LIMIT])

    @cache
    def unread_notifications() -> int:
        """The bell's number: one COUNT, run only when a signed-in page shows the bell."""
        if not signed_in:
            return 0
        return unread_count(user)  # type: ignore[arg-type]

    @cache
    def unread_messages() -> int:
        """The navigation's Messages count: one COUNT, muted conversations left out."""
        if not signed_in:
            return 0
        return unread_message_count(user)  # type: ignore[arg-type]

    @cache
    def switchable() -> list:
        """The header's organisation switcher: the person's own active accounts (shown from two on)."""
        if not signed_in:
            return []
        return [a for a in organisations_of(request) if a.is_active]

    spaces: Callable[[], list] = nav_spaces
    unread: Callable[[], int] = unread_notifications
    layout: dict = {"user": account} if account is not None else {}
    return {
        **layout,
        "ALVEOLE_PRODUCTION": settings.PRODUCTION,
        "nav_spaces": spaces,
        "my_organisations": switchable,
        "unread_notifications": unread,
        "unread_messages": unread_messages,
        "viewer_is_admin": signed_in and user.is_org_admin,  # type: ignore[union-attr]
        "viewer_is_guest": signed_in and user.is_guest,  # type: ignore[union-attr]
    }
