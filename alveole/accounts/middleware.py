from __future__ import annotations

from collections.abc import Callable

from allauth.usersessions.internal import usersessionkit
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from alveole.core import audit
from alveole.core.context import client_ip_of

from .identity import resolve
from .mfa import MFARequired, must_set_up_mfa
from .models import User
from .throttle import login_retry_after

Handler = Callable[[HttpRequest], HttpResponse]


class ActiveAccountMiddleware:
    """Right after AuthenticationMiddleware: the signed-in identity acts as its active account.

    Sets request.identity and request.account, and request.user to the account everywhere but
    allauth's pages. Checked on every request (the account is the identity's own and active), falling
    back to another active account, or ending the session when none is left (see identity.py)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        resolve(request)
        return self.get_response(request)


class IdentitySessionsMiddleware:
    """allauth's UserSessionsMiddleware, tracking the identity's session (request.user may be an account).

    `usersessionkit.track_activity` is internal to allauth: test_identity pins it."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        identity = getattr(request, "identity", None) or getattr(request, "user", None)
        usersessionkit.track_activity(request, user=identity, session=getattr(request, "session", None))
        return self.get_response(request)


class UserLanguageMiddleware:
    """A signed-in person's language setting wins over the browser's."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "account", None) or getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if language:
            response.headers.setdefault("Content-Language", language)
        return response


LOGIN_PATHS = ("/accounts/login/",)
# Where a signed-in person re-enters their password (allauth's confirmation before sensitive account
# changes, and the password change): the same limits, counted against their own account.
REAUTHENTICATION_PATHS = ("/accounts/reauthenticate/", "/accounts/password/change/")


class LoginThrottleMiddleware:
    """Refuse sign-in and re-authentication attempts with 429 + Retry-After once the failure limit is reached.

    Counted before authentication, so a correct password does not get through
    either, and the answer is the same whether or not the email has an account.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST":
            user = getattr(request, "user", None)
            person = user if request.path in REAUTHENTICATION_PATHS and isinstance(user, User) else None
            email = (person.login_email or person.email) if person is not None else None
            if request.path in LOGIN_PATHS:
                email = request.POST.get("login", "")
            if email is not None:
                ip = client_ip_of(request)
                wait = login_retry_after(email, ip)
                if wait is not None:
                    # Audited against the active account: the organisation's log shows its own people.
                    account = getattr(request, "account", None) if person is not None else None
                    audit.record(
                        "login.throttled", actor=account, target=account, label=email.strip().lower()[:255], ip=ip
                    )
                    minutes = max(1, (wait + 59) // 60)
                    message = _(
                        "Too many failed sign-in attempts. Try again in %(minutes)d minutes, or reset your password."
                    ) % {"minutes": minutes}
                    response = render(request, "429.html", {"message": message}, status=429)
                    response["Retry-After"] = str(wait)
                    return response
        return self.get_response(request)


class RequireMFAMiddleware:
    """When the organisation requires it, owners and admins must set up two-factor first (see mfa.py)."""

    allowed_prefixes = ("/accounts/", "/static/", "/healthz", "/i18n/")

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if isinstance(user, User) and not request.path.startswith(self.allowed_prefixes) and must_set_up_mfa(user):
            if request.path.startswith("/api/"):
                refusal = MFARequired()
                return JsonResponse(
                    {"code": refusal.code, "message": refusal.message, "fields": {}}, status=refusal.status
                )
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
