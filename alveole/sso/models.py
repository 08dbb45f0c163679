"""Single sign-on: one identity provider (OpenID Connect or SAML 2.0) per organisation.

The protocol itself is allauth's: each IdentityProvider owns one allauth `SocialApp` (client id, secret,
issuer or IdP certificate) and adds what Alvéole decides on sign-in (allowed domains, roles, passwords)."""

from __future__ import annotations

from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from alveole.accounts.models import Role


class Protocol(models.TextChoices):
    OIDC = "oidc", _("OpenID Connect")
    SAML = "saml", _("SAML 2.0")


class IdentityProvider(models.Model):
    organisation = models.OneToOneField(
        "orgs.Organisation", on_delete=models.CASCADE, related_name="identity_provider", verbose_name=_("organisation")
    )
    # allauth's row; its provider_id (OIDC) or client_id (SAML) is an opaque token, as it appears in URLs.
    social_app = models.OneToOneField(SocialApp, on_delete=models.PROTECT, related_name="alveole_provider")
    protocol = models.CharField(_("protocol"), max_length=4, choices=Protocol.choices)
    display_name = models.CharField(_("name on the sign-in button"), max_length=80)
    # Lower-case domains; an address outside them is refused even when the provider vouches for it.
    allowed_domains = models.JSONField(_("allowed email domains"), default=list)
    create_on_first_sign_in = models.BooleanField(_("create accounts on first sign-in"), default=True)
    # The claim (OIDC) or attribute (SAML) holding the role, and {value in the directory: Alvéole role}.
    role_claim = models.CharField(_("role claim"), max_length=200, blank=True)
    role_map = models.JSONField(_("role map"), default=dict, blank=True)
    default_role = models.CharField(_("default role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    password_login_disabled = models.BooleanField(_("turn off passwords for this organisation"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("identity provider")

    def __str__(self) -> str:
        return self.display_name

    @property
    def slug(self) -> str:
        """The opaque token in this provider's URLs."""
        app = self.social_app
        return app.provider_id if self.protocol == Protocol.OIDC else app.client_id
