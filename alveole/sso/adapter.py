"""allauth's hooks for single sign-on (SOCIALACCOUNT_ADAPTER).

A provider vouches for the people of one organisation only, so a sign-in through it:
- is refused with one sentence unless the address is in the provider's allowed domains (and not marked unverified);
- opens that organisation's account, never an identity: a SocialAccount belongs to the account, so a hostile owner's
  provider asserting someone else's address cannot reach that person's other organisations;
- finds the account by the provider's subject, else by address within the organisation (an invited person),
  else creates it through orgs.actions when the organisation allows it; allauth's own signup never runs.
"""

from __future__ import annotations

import logging
from typing import Any

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from alveole.accounts.models import User
from alveole.core.errors import AlveoleError
from alveole.orgs import actions as org_actions

from .models import IdentityProvider, Protocol
from .roles import claims_of, role_from
from .selectors import provider_by_slug

logger = logging.getLogger(__name__)


def refusal(request: HttpRequest, message: str, status: int = 403) -> HttpResponse:
    return render(request, "sso/refused.html", {"message": message}, status=status)


def refuse(request: HttpRequest, message: str) -> ImmediateHttpResponse:
    return ImmediateHttpResponse(refusal(request, message))


def _verified_email(idp: IdentityProvider, sociallogin: SocialLogin, claims: dict[str, Any]) -> str | None:
    email = ""
    if idp.protocol == Protocol.OIDC:
        email = str(claims.get("email") or "")
        # Entra ID sends no email_verified; an address the provider itself says is unverified is refused.
        if claims.get("email_verified") in (False, "false", "False"):
            return None
    else:
        user = sociallogin.user
        email = (getattr(user, "login_email", "") or getattr(user, "email", "") or "") if user is not None else ""
        if not email and sociallogin.email_addresses:
            email = sociallogin.email_addresses[0].email
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        return None
    return email


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        # Accounts are made in pre_social_login, in the provider's organisation, or not at all.
        return False

    def send_notification_mail(self, *args: Any, **kwargs: Any) -> None:
        # "A provider was connected to your account": the connection is the organisation's doing, not the person's.
        return None

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: Any = None,
        exception: Any = None,
        extra_context: Any = None,
    ) -> None:
        """A token or assertion that fails its checks (signature, expiry, audience, state): one sentence."""
        # The reason stays in the log for the operator; the person gets one sentence.
        logger.warning("single sign-on refused by %s: %s %r", getattr(provider, "id", provider), error, exception)
        raise refuse(
            request,
            _("Your identity provider's answer could not be verified, so you were not signed in: try again."),
        )

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        idp = provider_by_slug(sociallogin.account.provider)
        if idp is None:
            raise refuse(request, _("This single sign-on is no longer set up: ask your administrator."))
        claims = claims_of(idp, sociallogin.account.extra_data or {})
        email = _verified_email(idp, sociallogin, claims)
        if email is None:
            raise refuse(
                request, _("Your identity provider did not confirm your email address, so you were not signed in.")
            )
        domain = email.rpartition("@")[2]
        if domain not in idp.allowed_domains:
            raise refuse(
                request,
                _("%(org)s accepts single sign-on only for addresses at %(domains)s, not %(email)s.")
                % {"org": idp.organisation.name, "domains": ", ".join(idp.allowed_domains), "email": email},
            )
        role = role_from(idp, claims)
        account = self._account_for(request, idp, sociallogin, email, claims, role)
        if not account.is_active:
            raise refuse(request, _("Your account in %(org)s is deactivated.") % {"org": idp.organisation.name})
        if role is not None:
            org_actions.set_role_from_provider(member=account, role=role)
        if not sociallogin.is_existing or sociallogin.user is None or sociallogin.user.pk != account.pk:
            sociallogin.user = account
            sociallogin.save(request, connect=True)

    def _account_for(
        self,
        request: HttpRequest,
        idp: IdentityProvider,
        sociallogin: SocialLogin,
        email: str,
        claims: dict[str, Any],
        role: str | None,
    ) -> User:
        if sociallogin.is_existing:
            account = sociallogin.user
            # A SocialAccount of this provider only ever points to an account of its organisation.
            if isinstance(account, User) and account.organisation_id == idp.organisation_id:
                return account
            raise refuse(request, _("This sign-in belongs to another organisation."))
        existing = User.objects.filter(organisation_id=idp.organisation_id, email__iexact=email).first()
        if existing is not None:
            return existing
        if not idp.create_on_first_sign_in:
            raise refuse(
                request,
                _("You have no account in %(org)s yet: ask one of its administrators to invite you.")
                % {"org": idp.organisation.name},
            )
        name = str(claims.get("name") or "").strip()
        if not name and sociallogin.user is not None:
            name = sociallogin.user.full_name
        if not name:
            first = claims.get("given_name") or ""
            last = claims.get("family_name") or ""
            name = f"{first} {last}".strip()
        try:
            return org_actions.create_account_from_provider(
                organisation=idp.organisation, email=email, full_name=name or email, role=role or idp.default_role
            )
        except AlveoleError as error:
            raise refuse(request, error.message) from None

    def populate_user(self, request: HttpRequest, sociallogin: SocialLogin, data: dict[str, Any]) -> Any:
        user = super().populate_user(request, sociallogin, data)
        first, last = data.get("first_name") or "", data.get("last_name") or ""
        user.full_name = (data.get("name") or f"{first} {last}").strip()[:150]
        return user
