"""Domain errors raised by actions and access checks.

Every transport (web page, API, WebSocket, email) maps these to the same
user-facing sentence, so the message must say what to fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class AlveoleError(Exception):
    status = 400
    code = "invalid"
    default_message = _("This request cannot be processed.")

    def __init__(
        self, message: StrOrPromise | None = None, *, fields: Mapping[str, StrOrPromise] | None = None
    ) -> None:
        self.fields = {k: str(v) for k, v in (fields or {}).items()}
        if message is None and self.fields:
            # The field messages already say what to fix; repeat them for clients that show one line.
            message = " ".join(self.fields.values())
        self.message = str(message if message is not None else self.default_message)
        super().__init__(self.message)


class Invalid(AlveoleError):
    status = 400
    code = "invalid"
    default_message = _("Some fields need your attention.")


class NotAuthenticated(AlveoleError):
    status = 401
    code = "not_authenticated"
    default_message = _("Sign in first, or send a valid personal access token.")


class PermissionDenied(AlveoleError):
    status = 403
    code = "forbidden"
    default_message = _("You are not allowed to do this.")


class NotFound(AlveoleError):
    """The same answer for "does not exist" and "you may not see it"."""

    status = 404
    code = "not_found"
    default_message = _("This item does not exist or you do not have access to it.")


class Conflict(AlveoleError):
    status = 409
    code = "conflict"
    default_message = _("This conflicts with the current state; reload and try again.")


class RateLimited(AlveoleError):
    status = 429
    code = "rate_limited"
    default_message = _("Too many attempts. Wait a while and try again.")

    def __init__(self, message: StrOrPromise | None = None, *, retry_after: int) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(message)


class StorageFull(AlveoleError):
    """The server could not write a file (its disk is full or failing); nothing was kept."""

    status = 507
    code = "storage_full"
    default_message = _("The server has no room to store this file right now. Nothing was saved; try again later.")
