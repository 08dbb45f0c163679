"""Every change SCIM makes: its tokens, and the projection of provisioned Users and Groups onto accounts
and spaces. The protocol itself is scim2-server's (storage.py binds it to one organisation)."""

from __future__ import annotations

import uuid
import zoneinfo
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alveole.accounts.handles import unique_handle
from alveole.accounts.identity import attach_identity
from alveole.accounts.models import Role, User
from alveole.core import audit
from alveole.core.errors import Conflict, Invalid, NotFound
from alveole.core.secrets import hash_secret, new_secret
from alveole.orgs.actions import clean_email, deactivate_member, reactivate_member
from alveole.spaces import actions as space_actions
from alveole.spaces.models import SpaceMembership, Visibility

from .access import require_owner
from .models import ScimResource, ScimToken

TOKEN_PREFIX = "scim"
NAME_MAX = 100


def clean_token_name(value: str) -> str:
    name = " ".join((value or "").split())
    if not name:
        raise Invalid(fields={"name": _("Name the token after the identity provider, such as 'Entra ID'.")})
    if len(name) > NAME_MAX:
        raise Invalid(fields={"name": _("Use at most 100 characters for the token name.")})
    return name


@transaction.atomic
def create_scim_token(actor: User, *, name: str) -> tuple[ScimToken, str]:
    """A provisioning token for the actor's organisation; the secret is returned once and never stored."""
    require_owner(actor)
    name = clean_token_name(name)
    secret = new_secret(TOKEN_PREFIX)
    token = ScimToken.objects.create(
        organisation_id=actor.org_id, name=name, prefix=secret[:12], key_hash=hash_secret(secret), created_by=actor
    )
    audit.record("scim.token.create", actor=actor, target=token, label=name)
    return token, secret


@transaction.atomic
def revoke_scim_token(actor: User, *, token: ScimToken) -> ScimToken:
    require_owner(actor)
    if token.organisation_id != actor.organisation_id:
        raise NotFound()
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record("scim.token.revoke", actor=actor, target=token, label=token.name)
    return token


def authenticate_scim_token(secret: str) -> ScimToken | None:
    """The live token of this secret, or None. The provider acts as the owner who made the token, so
    the token stops working once that person is no longer an active owner of the organisation."""
    if not secret or not secret.startswith(TOKEN_PREFIX + "_"):
        return None
    token = (
        ScimToken.objects.select_related("organisation", "created_by")
        .filter(key_hash=hash_secret(secret), revoked_at__isnull=True)
        .first()
    )
    actor = token.created_by if token is not None else None
    if token is None or actor is None or not actor.is_active or not actor.is_owner:
        return None
    if actor.organisation_id != token.organisation_id:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


# --- Users → accounts -------------------------------------------------------------------------------


def email_of(doc: dict[str, Any]) -> str | None:
    """The address the organisation will know the person by: the primary email, another one, or a
    userName that is an address. None when there is none yet (the resource then waits for one)."""
    emails = [e for e in doc.get("emails") or [] if isinstance(e, dict)]
    emails.sort(key=lambda e: not e.get("primary"))
    for candidate in [e.get("value") for e in emails] + [doc.get("userName")]:
        if isinstance(candidate, str):
            try:
                return clean_email(candidate)
            except Invalid:
                continue
    return None


def full_name_of(doc: dict[str, Any], email: str) -> str:
    name = doc.get("name") or {}
    parts = [name.get("givenName"), name.get("familyName")]
    for candidate in (name.get("formatted"), " ".join(p for p in parts if p), doc.get("displayName")):
        if isinstance(candidate, str) and candidate.split():
            return " ".join(candidate.split())[:150]
    return email.split("@")[0][:150]


def _profile_fields(doc: dict[str, Any]) -> dict[str, str]:
    """Title, language and time zone when the provider sends values Alvéole can use; others are kept in the
    document only (a provider's unknown language must not refuse the whole person)."""
    fields: dict[str, str] = {}
    if isinstance(doc.get("title"), str):
        fields["title"] = doc["title"][:150]
    codes = {code for code, _name in settings.LANGUAGES}
    for value in (doc.get("preferredLanguage"), doc.get("locale")):
        if isinstance(value, str) and value[:2].lower() in codes:
            fields["language"] = value[:2].lower()
            break
    zone = doc.get("timezone")
    if isinstance(zone, str) and zone:
        try:
            zoneinfo.ZoneInfo(zone)
            fields["time_zone"] = zone[:64]
        except (ValueError, zoneinfo.ZoneInfoNotFoundError):
            pass
    return fields


def _taken(org_id: int, account: User, row: ScimResource) -> bool:
    return (
        ScimResource.objects.filter(organisation_id=org_id, account=account, deleted_at__isnull=True)
        .exclude(pk=row.pk)
        .exists()
    )


def project_user(actor: User, row: ScimResource, doc: dict[str, Any]) -> None:
    """Make the account match a User document: found (same organisation only) or created by email, its
    name and profile, and `active` through the organisation's own deactivate and reactivate actions (which
    end sessions, tokens and sockets at once)."""
    org_id = row.organisation_id
    email = email_of(doc)
    account = row.account
    if account is None:
        if email is None:
            return
        # Only this organisation's accounts are looked at: whether the address has an account elsewhere
        # changes nothing in the answer (attach_identity joins the person's identity silently).
        account = User.objects.filter(organisation_id=org_id, email__iexact=email).first()
        if account is not None and _taken(org_id, account, row):
            raise Conflict(_("Another provisioned user already holds this email address."))
        if account is None:
            full_name = full_name_of(doc, email)
            account = User(
                email=email,
                full_name=full_name,
                organisation_id=org_id,
                role=Role.MEMBER,
                handle=unique_handle(org_id, full_name, email),
                **_profile_fields(doc),
            )
            attach_identity(account, password=None)
            account.save()
            audit.record("member.create", actor=actor, target=account, label=account.full_name, via="scim")
        row.account = account
    else:
        changed: dict[str, str] = {"full_name": full_name_of(doc, email or account.email), **_profile_fields(doc)}
        if email is not None and email != account.email.lower():
            if User.objects.filter(organisation_id=org_id, email__iexact=email).exclude(pk=account.pk).exists():
                raise Conflict(_("Someone else in the organisation already has this email address."))
            changed["email"] = email
        changed = {k: v for k, v in changed.items() if getattr(account, k) != v}
        if changed:
            for field, value in changed.items():
                setattr(account, field, value)
            account.save(update_fields=list(changed))
            audit.record("member.update", actor=actor, target=account, label=account.full_name, via="scim")
    active = doc.get("active")
    if active is False and account.is_active:
        deactivate_member(actor, member=account)
    elif active is not False and not account.is_active:
        reactivate_member(actor, member=account)


def retire_user(actor: User, row: ScimResource) -> None:
    """A deleted User: its account is deactivated, never erased (what it wrote stays)."""
    if row.account is not None and row.account.is_active:
        deactivate_member(actor, member=row.account)


# --- Groups → private spaces ------------------------------------------------------------------------


def _member_accounts(org_id: int, doc: dict[str, Any]) -> set[int]:
    """The accounts a Group document names: members that are this organisation's provisioned Users
    (nested groups and unknown ids stay in the document only)."""
    ids: list[str] = []
    for member in doc.get("members") or []:
        if isinstance(member, dict) and member.get("type") in (None, "User") and isinstance(member.get("value"), str):
            ids.append(member["value"])
    valid = []
    for value in ids:
        try:
            valid.append(str(uuid.UUID(value)))
        except ValueError:
            continue
    rows = ScimResource.objects.filter(
        organisation_id=org_id, kind="User", scim_id__in=valid, deleted_at__isnull=True, account__isnull=False
    )
    return set(rows.values_list("account_id", flat=True))


def project_group(actor: User, row: ScimResource, doc: dict[str, Any], previous: dict[str, Any] | None) -> None:
    """Make the private space match a Group document: its name, and the memberships of the accounts the
    group names. Only the memberships the group brought are removed; people added by hand stay."""
    org_id = row.organisation_id
    name = " ".join(str(doc.get("displayName") or "").split())[:80] or _("Provisioned group")
    space = row.space
    if space is None:
        space = space_actions.create_space(actor, name=name, visibility=Visibility.PRIVATE)
        row.space = space
    elif space.name != name:
        space_actions.update_space(actor, space=space, name=name)
    wanted = _member_accounts(org_id, doc)
    before = _member_accounts(org_id, previous) if previous else set()
    present = set(SpaceMembership.objects.filter(space=space).values_list("user_id", flat=True))
    for account in User.objects.filter(pk__in=wanted - present, organisation_id=org_id, is_active=True):
        space_actions.add_space_member(actor, space=space, user=account)
    for account in User.objects.filter(pk__in=(before - wanted) & present, organisation_id=org_id):
        if account.pk == actor.pk:
            continue  # the token's owner manages every provisioned space; a group does not remove them
        space_actions.remove_space_member(actor, space=space, user=account)


def retire_group(actor: User, row: ScimResource) -> None:
    """A deleted Group: its space is archived, with everything posted in it."""
    if row.space is not None and not row.space.is_archived:
        space_actions.archive_space(actor, space=row.space)
