"""API authentication: a personal access token (Bearer) or the browser session with CSRF."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from alveole.accounts.actions import authenticate_token
from alveole.core.errors import PermissionDenied


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        # Raises MFARequired (403 mfa_required) for an owner or admin who must set up two-factor first.
        user = authenticate_token(token)
        if user is not None:
            request.user = user
        return user


class Session(APIKeyCookie):
    """The browser's session; unsafe methods must carry the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if check_csrf(request) is not None:
            raise PermissionDenied(
                "Send the CSRF token in the X-CSRFToken header (from the csrftoken cookie), "
                "or use a personal access token."
            )
        return user
