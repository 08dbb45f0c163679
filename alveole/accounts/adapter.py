from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest

from alveole.core.errors import RateLimited

from .models import User
from .throttle import check_password_again


class AccountAdapter(DefaultAccountAdapter):
    """Alvéole has no public sign-up: people join through an invitation."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def reauthenticate(self, user: AbstractBaseUser, password: str) -> bool:
        """allauth's password confirmation (before sensitive account changes) shares the sign-in limits."""
        if not isinstance(user, User):
            return False
        try:
            return check_password_again(user, password, step="reauthenticate")
        except RateLimited:
            # LoginThrottleMiddleware answers 429 before the form; this is the rare race past it.
            return False
