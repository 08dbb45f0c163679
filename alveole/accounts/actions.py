"""Every change to accounts and tokens goes through here."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from alveole.core import audit
from alveole.core.errors import Invalid, NotFound
from alveole.core.secrets import hash_secret, new_secret

from . import token_cache
from .mfa import MFARequired, must_set_up_mfa, require_mfa_set_up
from .models import AccessToken, User

TOKEN_PREFIX = "alv"
LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def clean_full_name(value: str) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise Invalid(fields={"full_name": _("Enter your name as colleagues should see it.")})
    if len(value) > 150:
        raise Invalid(fields={"full_name": _("Use at most 150 characters for the name.")})
    return value


def update_profile(
    actor: User,
    *,
    full_name: str | None = None,
    title: str | None = None,
    language: str | None = None,
    time_zone: str | None = None,
) -> User:
    errors: dict[str, str] = {}
    if full_name is not None:
        try:
            actor.full_name = clean_full_name(full_name)
        except Invalid as exc:
            errors.update(exc.fields)
    if title is not None:
        title = " ".join(title.split())
        if len(title) > 150:
            errors["title"] = _("Use at most 150 characters for the job title.")
        actor.title = title
    if language is not None:
        if language and language not in LANGUAGE_CODES:
            errors["language"] = _("Choose English or French, or leave empty to follow your browser.")
        actor.language = language
    if time_zone is not None:
        if time_zone not in zoneinfo.available_timezones():
            errors["time_zone"] = _("Choose a time zone from the list, such as Europe/Paris.")
        actor.time_zone = time_zone
    if errors:
        raise Invalid(fields=errors)
    actor.save(update_fields=["full_name", "title", "language", "time_zone"])
    return actor


@transaction.atomic
def create_token(actor: User, *, name: str) -> tuple[AccessToken, str]:
    """Create a personal access token; the secret is returned once and never stored.

    Not while the person must set up two-factor authentication: the token would be refused anyway."""
    require_mfa_set_up(actor)
    name = " ".join((name or "").split())
    if not name:
        raise Invalid(fields={"name": _("Name the token after where it will be used, such as 'CI'.")})
    if len(name) > 100:
        raise Invalid(fields={"name": _("Use at most 100 characters for the token name.")})
    secret = new_secret(TOKEN_PREFIX)
    token = AccessToken.objects.create(user=actor, name=name, prefix=secret[:10], key_hash=hash_secret(secret))
    audit.record("token.create", actor=actor, target=token, label=name)
    return token, secret


@transaction.atomic
def revoke_token(actor: User, *, token: AccessToken) -> AccessToken:
    if token.user_id != actor.pk:
        raise NotFound()
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record("token.revoke", actor=actor, target=token, label=token.name)
    return token


def authenticate_token(secret: str) -> User | None:
    """The active user a token belongs to, or None for an unknown, revoked or malformed one.

    Raises MFARequired while the person must set up two-factor authentication: a token made before
    the requirement must not keep an admin's rights. Touches last_used_at at most once a minute.
    What it finds is kept a few seconds in this process (token_cache: every change that could refuse
    the token makes every process forget it first)."""
    if not secret or not secret.startswith(TOKEN_PREFIX + "_"):
        return None
    key_hash = hash_secret(secret)
    generation = token_cache.current_generation()  # read before the database: see token_cache
    cached = token_cache.lookup(key_hash, generation)
    if cached is None:
        token = (
            AccessToken.objects.select_related("user", "user__organisation")
            .filter(key_hash=key_hash, revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if token is None:
            return None
        user = token.user
        cached = token_cache.CachedToken(
            user=user, token_id=token.pk, mfa_required=must_set_up_mfa(user), last_used_at=token.last_used_at
        )
        token_cache.store(key_hash, generation, cached)
    else:
        user = cached.user_copy()
    if cached.mfa_required:
        raise MFARequired()
    _touch(cached)
    return user


def _touch(cached: token_cache.CachedToken) -> None:
    """Record the use at most once per ALVEOLE_TOKEN_TOUCH_SECONDS, whatever the number of processes: the
    condition is in the UPDATE, so a process whose copy of last_used_at is old does not write again."""
    now = timezone.now()
    every = timedelta(seconds=settings.ALVEOLE_TOKEN_TOUCH_SECONDS)
    if cached.last_used_at is not None and now - cached.last_used_at <= every:
        return
    AccessToken.objects.filter(pk=cached.token_id).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - every)
    ).update(last_used_at=now)
    cached.last_used_at = now


def user_for_token(secret: str) -> User | None:
    """authenticate_token for doors that cannot say why (the WebSocket closes as not signed in)."""
    try:
        return authenticate_token(secret)
    except MFARequired:
        return None
