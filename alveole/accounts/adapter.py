from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.stagekit import clear_login
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest, HttpResponse

from alveole.core.errors import RateLimited

from .identity import choose_account, identity_of, may_sign_in_to_join
from .models import User
from .throttle import check_password_again


class AccountAdapter(DefaultAccountAdapter):
    """Alvéole has no public sign-up: people join through an invitation."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def pre_login(self, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any) -> HttpResponse | None:
        """An identity whose accounts are all deactivated is told so, as a deactivated account was,
        unless it signs in to accept an invitation to its address opened in this browser."""
        if (
            isinstance(user, User)
            and user.organisation_id is None
            and choose_account(user) is None
            and not may_sign_in_to_join(user, request.session)
        ):
            clear_login(request)
            return self.respond_user_inactive(request, user)
        return super().pre_login(request, user, **kwargs)

    def reauthenticate(self, user: AbstractBaseUser, password: str) -> bool:
        """allauth's password confirmation (before sensitive account changes) shares the sign-in limits."""
        if not isinstance(user, User):
            return False
        try:
            return check_password_again(identity_of(user), password, step="reauthenticate")
        except RateLimited:
            # LoginThrottleMiddleware answers 429 before the form; this is the rare race past it.
            return False
