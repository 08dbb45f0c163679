from __future__ import annotations

from collections.abc import Callable

from allauth.account.adapter import get_adapter
from django.http import HttpRequest, HttpResponse

from alveole.accounts.identity import SESSION_KEY, accounts_of
from alveole.accounts.models import User

from .selectors import password_login_disabled
from .views import password_refused

Handler = Callable[[HttpRequest], HttpResponse]
EXEMPT = ("/static/", "/healthz", "/accounts/logout/", "/sso/start/", "/i18n/")


class PasswordLoginPolicyMiddleware:
    """After ActiveAccountMiddleware: an organisation that turned passwords off is only entered through its provider.

    A session opened with a password (an identity's, not bound to one account) that would act as an account of such
    an organisation moves to another of the person's accounts, or signs out with a sentence. Owners are exempt: their
    password and two-factor are the way back in when the provider fails. Sessions opened by single sign-on are bound
    to their account (accounts/identity.py) and pass."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        account = getattr(request, "account", None)
        identity = getattr(request, "identity", None)
        if (
            isinstance(account, User)
            and isinstance(identity, User)
            and not getattr(request, "account_bound", False)
            and not request.path.startswith(EXEMPT)
            and password_login_disabled(account)
        ):
            for other in accounts_of(identity).filter(is_active=True).exclude(pk=account.pk).order_by("pk"):
                if not password_login_disabled(other):
                    request.session[SESSION_KEY] = other.pk
                    request.account = other  # type: ignore[attr-defined]
                    if request.user == account:
                        request.user = other
                    return self.get_response(request)
            org_name = account.org.name
            get_adapter(request).logout(request)
            return password_refused(request, org_name)
        return self.get_response(request)
