from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from alveole.core import audit
from alveole.core.context import client_ip_of

from .throttle import login_retry_after

Handler = Callable[[HttpRequest], HttpResponse]


class UserLanguageMiddleware:
    """A signed-in person's language setting wins over the browser's."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if language:
            response.headers.setdefault("Content-Language", language)
        return response


LOGIN_PATHS = ("/accounts/login/",)


class LoginThrottleMiddleware:
    """Refuse sign-in attempts with 429 + Retry-After once the failure limit is reached.

    Counted before authentication, so a correct password does not get through
    either, and the answer is the same whether or not the email has an account.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path in LOGIN_PATHS:
            email = request.POST.get("login", "")
            ip = client_ip_of(request)
            wait = login_retry_after(email, ip)
            if wait is not None:
                audit.record("login.throttled", actor=None, label=email.strip().lower()[:255], ip=ip)
                minutes = max(1, (wait + 59) // 60)
                message = _(
                    "Too many failed sign-in attempts. Try again in %(minutes)d minutes, or reset your password."
                ) % {"minutes": minutes}
                response = render(request, "429.html", {"message": message}, status=429)
                response["Retry-After"] = str(wait)
                return response
        return self.get_response(request)


class RequireMFAMiddleware:
    """When the organisation requires it, owners and admins must set up two-factor first."""

    allowed_prefixes = ("/accounts/", "/static/", "/healthz", "/i18n/")

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.is_org_admin
            and user.organisation.require_mfa_for_admins
            and not request.path.startswith(self.allowed_prefixes)
            and not _has_totp(user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "code": "mfa_required",
                        "message": _(
                            "Your organisation requires two-factor authentication for admins: "
                            "set it up in your account first."
                        ),
                        "fields": {},
                    },
                    status=403,
                )
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


def _has_totp(user: object) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
