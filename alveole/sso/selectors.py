"""Read queries of single sign-on: the viewer's own organisation's provider, and the sign-in lookups."""

from __future__ import annotations

from alveole.accounts.models import User

from .models import IdentityProvider


def provider_of(viewer: User) -> IdentityProvider | None:
    """The viewer's organisation's provider (one per organisation), if any."""
    return IdentityProvider.objects.select_related("social_app").filter(organisation_id=viewer.org_id).first()


def provider_by_slug(slug: str) -> IdentityProvider | None:
    """The provider behind allauth's provider id (the opaque token in its URLs and in SocialAccount.provider)."""
    if not slug:
        return None
    return (
        IdentityProvider.objects.select_related("social_app", "organisation")
        .filter(social_app__provider_id=slug)
        .first()
    )


def providers_for_email(email: str) -> list[IdentityProvider]:
    """The providers that accept this address's domain (sign-in by email domain)."""
    domain = email.strip().lower().rpartition("@")[2]
    if not domain or "@" not in email:
        return []
    found = IdentityProvider.objects.select_related("social_app", "organisation").order_by("pk")
    # JSON "contains" is not portable to SQLite; the number of providers is small (one per organisation).
    return [idp for idp in found if domain in idp.allowed_domains]


def password_login_disabled(account: User) -> bool:
    """Whether `account` may not be used after a password sign-in (its organisation turned passwords off; owners
    keep theirs, with two-factor, as the way back in when the provider is down or misconfigured)."""
    if account.organisation_id is None or account.is_owner:
        return False
    return IdentityProvider.objects.filter(
        organisation_id=account.organisation_id, password_login_disabled=True
    ).exists()
