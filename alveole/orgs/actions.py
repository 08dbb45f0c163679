"""Every change to organisations, their members and invitations goes through here."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alveole.accounts import token_cache
from alveole.accounts.actions import clean_full_name
from alveole.accounts.handles import unique_handle
from alveole.accounts.identity import accounts_of, attach_identity, find_identity, identity_of
from alveole.accounts.models import AccessToken, Role, User
from alveole.core import audit, policies, ratelimit
from alveole.core.errors import Conflict, Invalid, NotFound, PermissionDenied, RateLimited
from alveole.core.secrets import hash_secret, new_secret
from alveole.live.models import Audience
from alveole.live.publish import publish
from alveole.spaces import labels
from alveole.spaces.models import Space, SpaceMembership
from alveole.spaces.policies import guest_invitation_refusal

from .access import ADMIN_ONLY, may_revoke, require_org_admin
from .events import MemberDeactivated, MemberUpdated
from .models import Invitation, Organisation

INVITATION_PREFIX = "inv"
# Each resend emails someone who has not asked for anything yet: a few per invitation and per admin
# in an hour is plenty for "it went to spam", and keeps the button from becoming a mail cannon.
RESENDS_PER_INVITATION = 3
RESENDS_PER_ADMIN = 20
RESEND_WINDOW = 3600


def clean_email(value: str, field: str = "email") -> str:
    value = (value or "").strip().lower()
    try:
        validate_email(value)
    except ValidationError:
        raise Invalid(fields={field: _("Enter a valid email address, such as anna@example.com.")}) from None
    return value


def clean_org_name(value: str) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise Invalid(fields={"name": _("Give the organisation a name.")})
    if len(value) > 120:
        raise Invalid(fields={"name": _("Use at most 120 characters for the name.")})
    return value


def clean_password(password: str, user: User | None = None) -> str:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise Invalid(fields={"password": " ".join(exc.messages)}) from None
    return password


@transaction.atomic
def create_organisation(*, name: str, owner_email: str, owner_name: str, password: str | None) -> User:
    """Create an organisation with its first owner (an operator task, so no actor)."""
    name = clean_org_name(name)
    email = clean_email(owner_email)
    full_name = clean_full_name(owner_name)
    # A new organisation has no account yet: an address that signs in already (in another organisation)
    # is that person's identity, which gets this account too (and keeps its own password).
    org = Organisation.objects.create(name=name)
    owner = User(
        email=email,
        full_name=full_name,
        organisation=org,
        role=Role.OWNER,
        handle=unique_handle(org.pk, full_name, email),
    )
    if password is not None:
        clean_password(password, owner)
    attach_identity(owner, password=password)
    owner.save()
    audit.record("org.create", actor=owner, organisation=org, target=org)
    return owner


# A year: longer than that, a window is only a typo of "always".
MAX_EDIT_WINDOW_MINUTES = 525_600


def clean_policies(
    *,
    space_creators: str | None = None,
    guest_adders: str | None = None,
    upload_families: Iterable[str] | None = None,
    upload_max_mb: int | None = None,
    edit_window_minutes: int | None = None,
    confidential_space_creators: str | None = None,
) -> dict[str, object]:
    """The organisation's policies as given, checked; the ones not given are left out."""
    values: dict[str, object] = {}
    if confidential_space_creators is not None:
        if confidential_space_creators not in policies.SpaceCreators.values:
            raise Invalid(fields={"confidential_space_creators": _("Choose admins, managers or members.")})
        values["confidential_space_creators"] = confidential_space_creators
    if space_creators is not None:
        if space_creators not in policies.SpaceCreators.values:
            raise Invalid(fields={"space_creators": _("Choose admins, managers or members.")})
        values["space_creators"] = space_creators
    if guest_adders is not None:
        if guest_adders not in policies.GuestAdders.values:
            raise Invalid(fields={"guest_adders": _("Choose admins, managers or members.")})
        values["guest_adders"] = guest_adders
    if upload_families is not None:
        given = set(upload_families)
        unknown = given - set(policies.FILE_FAMILIES)
        if unknown or not given:
            raise Invalid(
                fields={
                    "upload_families": _("Choose at least one of: %(families)s.")
                    % {"families": ", ".join(policies.FILE_FAMILIES)}
                }
            )
        values["upload_families"] = [f for f in policies.FILE_FAMILIES if f in given]
    if upload_max_mb is not None:
        server_mb = settings.ALVEOLE_UPLOAD_MAX_BYTES // 1024 // 1024
        if not 0 <= upload_max_mb <= server_mb:
            raise Invalid(
                fields={
                    "upload_max_mb": _("Choose a size from 1 to %(max)d MB, or 0 for the server's limit of %(max)d MB.")
                    % {"max": server_mb}
                }
            )
        values["upload_max_mb"] = upload_max_mb
    if edit_window_minutes is not None:
        if not 0 <= edit_window_minutes <= MAX_EDIT_WINDOW_MINUTES:
            raise Invalid(
                fields={
                    "edit_window_minutes": _("Choose from 0 (always) to %(max)d minutes.")
                    % {"max": MAX_EDIT_WINDOW_MINUTES}
                }
            )
        values["edit_window_minutes"] = edit_window_minutes
    return values


def update_organisation(
    actor: User,
    *,
    name: str | None = None,
    require_mfa_for_admins: bool | None = None,
    space_creators: str | None = None,
    guest_adders: str | None = None,
    guests_may_post: bool | None = None,
    upload_families: Iterable[str] | None = None,
    upload_max_mb: int | None = None,
    edit_window_minutes: int | None = None,
    confidential_space_creators: str | None = None,
    confidential_downloads: bool | None = None,
    export_includes_conversations: bool | None = None,
) -> Organisation:
    require_org_admin(actor)
    if (
        export_includes_conversations is not None
        and export_includes_conversations != actor.org.export_includes_conversations
        and not actor.is_owner
    ):
        # Direct messages leave Alvéole in an export only under this policy: owners alone decide it.
        # Before the transaction, so the refusal stays on record.
        audit.record("org.conversation_export.denied", actor=actor, target=actor.org, new=export_includes_conversations)
        raise PermissionDenied(_("Only an owner can decide whether exports include direct messages."))
    with transaction.atomic():
        return _update_organisation(
            actor,
            name=name,
            require_mfa_for_admins=require_mfa_for_admins,
            space_creators=space_creators,
            guest_adders=guest_adders,
            guests_may_post=guests_may_post,
            upload_families=upload_families,
            upload_max_mb=upload_max_mb,
            edit_window_minutes=edit_window_minutes,
            confidential_space_creators=confidential_space_creators,
            confidential_downloads=confidential_downloads,
            export_includes_conversations=export_includes_conversations,
        )


def _update_organisation(
    actor: User,
    *,
    name: str | None,
    require_mfa_for_admins: bool | None,
    space_creators: str | None,
    guest_adders: str | None,
    guests_may_post: bool | None,
    upload_families: Iterable[str] | None,
    upload_max_mb: int | None,
    edit_window_minutes: int | None,
    confidential_space_creators: str | None,
    confidential_downloads: bool | None,
    export_includes_conversations: bool | None,
) -> Organisation:
    values = clean_policies(
        space_creators=space_creators,
        guest_adders=guest_adders,
        upload_families=upload_families,
        upload_max_mb=upload_max_mb,
        edit_window_minutes=edit_window_minutes,
        confidential_space_creators=confidential_space_creators,
    )
    if guests_may_post is not None:
        values["guests_may_post"] = guests_may_post
    if confidential_downloads is not None:
        values["confidential_downloads"] = confidential_downloads
    org = Organisation.objects.select_for_update().get(pk=actor.org_id)
    changed: dict[str, object] = {}
    if name is not None:
        org.name = clean_org_name(name)
        changed["name"] = org.name
    for field, value in values.items():
        if getattr(org, field) != value:
            setattr(org, field, value)
            changed[field] = value
    if require_mfa_for_admins is not None:
        if not actor.is_owner and require_mfa_for_admins != org.require_mfa_for_admins:
            raise PermissionDenied(_("Only an owner can change the two-factor requirement."))
        org.require_mfa_for_admins = require_mfa_for_admins
        changed["require_mfa_for_admins"] = require_mfa_for_admins
    if export_includes_conversations is not None and export_includes_conversations != org.export_includes_conversations:
        if not actor.is_owner:  # an owner became an admin since the check above
            raise PermissionDenied(_("Only an owner can decide whether exports include direct messages."))
        audit.record(
            "org.conversation_export",
            actor=actor,
            organisation=org,
            target=org,
            old=org.export_includes_conversations,
            new=export_includes_conversations,
        )
        org.export_includes_conversations = export_includes_conversations
        changed["export_includes_conversations"] = export_includes_conversations
    if changed:
        org.save()
        audit.record("org.update", actor=actor, organisation=org, target=org, changed=changed)
    actor.organisation = org
    return org


def _check_can_grant(actor: User, role: str) -> None:
    if role not in Role.values:
        raise Invalid(fields={"role": _("Choose one of: owner, admin, member, guest.")})
    require_org_admin(actor)
    if role == Role.OWNER and not actor.is_owner:
        raise PermissionDenied(_("Only an owner can make someone an owner."))


@transaction.atomic
def invite_member(
    actor: User, *, email: str, role: str = Role.MEMBER, spaces: Iterable[Space] = ()
) -> tuple[Invitation, str]:
    """Invite someone by email. Returns the invitation and its link (shown once)."""
    email = clean_email(email)
    _check_can_grant(actor, role)
    spaces = list(spaces)
    for space in spaces:
        if space.organisation_id != actor.organisation_id:
            raise NotFound()
        if space.is_archived:
            raise Invalid(fields={"spaces": _("“%(space)s” is archived; choose an active space.") % {"space": space}})
        if role == Role.GUEST and labels.holds_restricted_content(space):
            refusal = _("“%(space)s” holds confidential content: guests cannot join it.") % {"space": space}
            raise Invalid(fields={"spaces": refusal})
    if role == Role.GUEST and not spaces:
        raise Invalid(
            fields={"spaces": _("Choose at least one space for a guest: guests only see the spaces they are added to.")}
        )
    return _issue_invitation(actor, email=email, role=role, spaces=spaces)


def _issue_invitation(actor: User, *, email: str, role: str, spaces: list[Space]) -> tuple[Invitation, str]:
    """Write an allowed invitation (inside the caller's transaction); its email leaves on commit."""
    # Only this organisation's accounts are a conflict: the inviter may already see those people.
    # An account elsewhere must not be confirmed, so that address is invited like a new one, with
    # the same single query and the same work; its owner is told when they open the link.
    if User.objects.filter(organisation_id=actor.org_id, email__iexact=email).exists():
        raise Conflict(_("Someone with this email address already has an account."))
    now = timezone.now()
    # A new invitation replaces any pending one for the same address.
    Invitation.objects.filter(
        organisation_id=actor.org_id, email=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    secret = new_secret(INVITATION_PREFIX)
    invitation = Invitation.objects.create(
        organisation_id=actor.org_id,
        email=email,
        role=role,
        invited_by=actor,
        key_hash=hash_secret(secret),
        expires_at=now + timedelta(days=settings.ALVEOLE_INVITATION_DAYS),
    )
    invitation.spaces.set(spaces)
    audit.record(
        "invitation.create", actor=actor, target=invitation, label=email, role=role, spaces=[s.pk for s in spaces]
    )
    link = settings.ALVEOLE_BASE_URL + reverse("invitation_accept", args=[secret])
    language = translation.get_language()
    transaction.on_commit(lambda: send_invitation_email(invitation.pk, link, language))
    return invitation, link


def invite_guest(actor: User, *, email: str, space: Space) -> tuple[Invitation, str]:
    """Invite someone from outside into `space` alone, as a guest: its managers, or its members, as the
    organisation's guest policy says (spaces.policies.guest_invitation_refusal). A refusal is audited."""
    try:
        return _invite_guest(actor, email=email, space=space)
    except PermissionDenied as denied:
        # After the rollback, in a transaction of its own: the refusal stays on record.
        audit.record("invitation.guest.denied", actor=actor, target=space, email=email[:254], reason=str(denied))
        raise


@transaction.atomic
def _invite_guest(actor: User, *, email: str, space: Space) -> tuple[Invitation, str]:
    if space.organisation_id != actor.organisation_id:
        raise NotFound()
    refusal = guest_invitation_refusal(actor, space)
    if refusal:
        raise PermissionDenied(refusal)
    if space.is_archived:
        raise Conflict(_("“%(space)s” is archived: restore it before inviting anyone.") % {"space": space})
    email = clean_email(email)
    # Every attempt counts, refused ones too: the answers must not become a way to probe addresses.
    limit = settings.ALVEOLE_GUEST_INVITATIONS_PER_HOUR
    wait = ratelimit.retry_after("invitation:guest", str(actor.pk), limit=limit, window=3600)
    if wait is not None:
        raise RateLimited(
            _("You have invited %(count)d guests in the last hour, the most allowed. Try again later.")
            % {"count": limit},
            retry_after=wait,
        )
    ratelimit.add_hit("invitation:guest", str(actor.pk), window=3600)
    if not actor.is_org_admin:
        # Replacing a pending invitation would cancel what an admin sent: changing it is theirs.
        pending = Invitation.objects.filter(
            organisation_id=actor.organisation_id,
            email=email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        if pending.exists():
            raise Conflict(_("%(email)s already has a pending invitation; an admin can change it.") % {"email": email})
    return _issue_invitation(actor, email=email, role=Role.GUEST, spaces=[space])


def send_invitation_email(invitation_id: int, link: str, language: str | None) -> None:
    invitation = Invitation.objects.select_related("organisation", "invited_by").get(pk=invitation_id)
    with translation.override(language):
        context = {
            "invitation": invitation,
            "link": link,
            "days": settings.ALVEOLE_INVITATION_DAYS,
            "spaces": ", ".join(s.name for s in invitation.spaces.order_by("name")),
        }
        subject = render_to_string("orgs/email/invitation_subject.txt", context).strip()
        body = render_to_string("orgs/email/invitation.txt", context)
    send_mail(subject, body, None, [invitation.email])


@transaction.atomic
def resend_invitation(actor: User, *, invitation: Invitation) -> tuple[Invitation, str]:
    """Send a pending or expired invitation again, valid for the full period from now.

    Only a hash of the link is stored, so the email cannot repeat the old link: a new one replaces
    it and the old one stops working. Returns the invitation and the new link (shown once).
    """
    require_org_admin(actor)
    if invitation.organisation_id != actor.organisation_id:
        raise NotFound()
    # A new link is a new grant of the invitation's role: only who could invite with it may resend it.
    _check_can_grant(actor, invitation.role)
    # Locked, so that a resend racing an acceptance or a revocation sees its outcome.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise Conflict(
            _("%(email)s already accepted this invitation, so there is nothing to resend.")
            % {"email": invitation.email}
        )
    if invitation.revoked_at is not None:
        raise Conflict(
            _("This invitation was revoked, so it cannot be resent. Invite %(email)s again instead.")
            % {"email": invitation.email}
        )
    if User.objects.filter(organisation_id=actor.organisation_id, email__iexact=invitation.email).exists():
        raise Conflict(_("Someone with this email address already has an account."))
    limits = (
        ("invitation:resend", str(invitation.pk), RESENDS_PER_INVITATION),
        ("invitation:resend:admin", str(actor.pk), RESENDS_PER_ADMIN),
    )
    waits = [ratelimit.retry_after(scope, key, limit=limit, window=RESEND_WINDOW) for scope, key, limit in limits]
    wait = max((w for w in waits if w is not None), default=None)
    if wait is not None:
        minutes = max(1, -(-wait // 60))
        raise RateLimited(
            ngettext(
                "This invitation has been sent again too often for now. Try again in %(minutes)d minute.",
                "This invitation has been sent again too often for now. Try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
            retry_after=wait,
        )
    for scope, key, _limit in limits:
        ratelimit.add_hit(scope, key, window=RESEND_WINDOW)
    secret = new_secret(INVITATION_PREFIX)
    invitation.key_hash = hash_secret(secret)
    invitation.expires_at = timezone.now() + timedelta(days=settings.ALVEOLE_INVITATION_DAYS)
    invitation.save(update_fields=["key_hash", "expires_at"])
    audit.record("invitation.resend", actor=actor, target=invitation, label=invitation.email)
    link = settings.ALVEOLE_BASE_URL + reverse("invitation_accept", args=[secret])
    language = translation.get_language()
    transaction.on_commit(lambda: send_invitation_email(invitation.pk, link, language))
    return invitation, link


@transaction.atomic
def revoke_invitation(actor: User, *, invitation: Invitation) -> Invitation:
    """Admins revoke any invitation; a guest invitation, also its space's managers and its sender (may_revoke)."""
    if invitation.organisation_id != actor.organisation_id:
        raise NotFound()
    if not may_revoke(actor, invitation):
        raise PermissionDenied(ADMIN_ONLY)
    if invitation.accepted_at is not None:
        raise Conflict(_("This invitation was already accepted; deactivate the member instead."))
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit.record("invitation.revoke", actor=actor, target=invitation, label=invitation.email)
    return invitation


def pending_invitation(secret: str) -> Invitation:
    """The invitation a link points to, if it can still be used."""
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(key_hash=hash_secret(secret or ""))
        .first()
    )
    if invitation is None or invitation.revoked_at is not None:
        raise NotFound(_("This invitation link is not valid. Ask the person who invited you for a new one."))
    if invitation.accepted_at is not None:
        raise Conflict(_("This invitation was already used. Sign in with your email and password."))
    if invitation.expires_at <= timezone.now():
        raise Conflict(_("This invitation has expired. Ask the person who invited you for a new one."))
    _check_address_is_free(invitation)
    return invitation


def _check_address_is_free(invitation: Invitation) -> None:
    """Refuse, in plain words, an invitation whose address already has an account in its organisation.

    An account in another organisation is no obstacle: one person may belong to several (the
    person signs in, then joins with the same identity), and nothing here tells anyone about it."""
    if User.objects.filter(organisation_id=invitation.organisation_id, email__iexact=invitation.email).exists():
        raise Conflict(
            _("%(email)s already has an account with %(org)s: sign in with it instead.")
            % {"email": invitation.email, "org": invitation.organisation.name}
        )


def needs_sign_in(invitation: Invitation) -> bool:
    """Whether the invitation's address already signs in to Alvéole (an identity with an account).

    Such a person proves who they are by signing in (password, two-factor) and then joins with that
    identity (`accept_invitation_as`); choosing a new password on the link would bypass both."""
    identity = find_identity(invitation.email)
    return identity is not None and accounts_of(identity).exists()


def _locked_invitation(secret: str) -> Invitation:
    invitation = pending_invitation(secret)
    # Lock the row so that two clicks on the same link create one account.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise Conflict(_("This invitation was already used. Sign in with your email and password."))
    _check_address_is_free(invitation)
    return invitation


def _join(invitation: Invitation, user: User) -> User:
    """The new account joins the invitation's spaces; the invitation is used up."""
    spaces = list(invitation.spaces.filter(organisation_id=invitation.organisation_id, archived_at__isnull=True))
    if user.is_guest:  # a space that became confidential since the invitation is not joined
        spaces = [s for s in spaces if not labels.holds_restricted_content(s)]
    SpaceMembership.objects.bulk_create([SpaceMembership(space=s, user=user) for s in spaces])
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit.record("invitation.accept", actor=user, target=invitation, label=invitation.email)
    return user


@transaction.atomic
def accept_invitation(*, secret: str, full_name: str, password: str) -> User:
    """A new address: its identity (with this password) and its account, in one transaction."""
    invitation = _locked_invitation(secret)
    if needs_sign_in(invitation):
        raise Conflict(
            _("%(email)s already signs in to Alvéole: sign in first, then open this link again.")
            % {"email": invitation.email}
        )
    full_name = clean_full_name(full_name)
    user = User(
        email=invitation.email,
        full_name=full_name,
        organisation_id=invitation.organisation_id,
        role=invitation.role,
        handle=unique_handle(invitation.organisation_id, full_name, invitation.email),
    )
    clean_password(password, user)
    attach_identity(user, password=password)
    user.save()
    return _join(invitation, user)


@transaction.atomic
def accept_invitation_as(identity: User, secret: str) -> User:
    """A signed-in identity accepts an invitation to its own sign-in address: a new account in the
    invitation's organisation, held by that identity (its password and two-factor stay as they are)."""
    invitation = _locked_invitation(secret)
    if identity.organisation_id is not None or (identity.login_email or "").lower() != invitation.email.lower():
        raise Conflict(
            _("This invitation is for %(email)s: sign in with that address to accept it.") % {"email": invitation.email}
        )
    if accounts_of(identity).filter(organisation_id=invitation.organisation_id).exists():
        raise Conflict(
            _("%(email)s already has an account with %(org)s: sign in with it instead.")
            % {"email": invitation.email, "org": invitation.organisation.name}
        )
    latest = accounts_of(identity).order_by("-pk").first()
    full_name = identity.full_name or (latest.full_name if latest is not None else "") or invitation.email
    user = User(
        email=invitation.email,
        full_name=full_name,
        organisation_id=invitation.organisation_id,
        role=invitation.role,
        handle=unique_handle(invitation.organisation_id, full_name, invitation.email),
        identity=identity,
        language=identity.language,
        time_zone=identity.time_zone,
    )
    user.set_unusable_password()
    user.save()
    return _join(invitation, user)


def _require_same_org(actor: User, member: User) -> None:
    if member.organisation_id != actor.organisation_id:
        raise NotFound()


def _check_not_last_owner(member: User) -> None:
    if member.role == Role.OWNER:
        owners = User.objects.filter(organisation_id=member.org_id, role=Role.OWNER, is_active=True)
        if owners.exclude(pk=member.pk).count() == 0:
            raise Conflict(_("The organisation needs at least one active owner; make someone else owner first."))


def change_role(actor: User, *, member: User, role: str) -> User:
    try:
        return _change_role(actor, member=member, role=role)
    except PermissionDenied as denied:
        # After the rollback, in a transaction of its own: the refusal stays on record.
        audit.record(
            "member.role.denied", actor=actor, target=member, label=member.full_name, role=role, reason=str(denied)
        )
        raise


@transaction.atomic
def _change_role(actor: User, *, member: User, role: str) -> User:
    _require_same_org(actor, member)
    _check_can_grant(actor, role)
    if member.role == role:
        return member
    if member.role == Role.OWNER and not actor.is_owner:
        raise PermissionDenied(_("Only an owner can change an owner's role."))
    if member.role == Role.OWNER:
        _check_not_last_owner(member)
    if role == Role.GUEST:
        _check_no_confidential_spaces(member)
    previous = member.role
    member.role = role
    member.save(update_fields=["role"])
    audit.record("member.role", actor=actor, target=member, label=member.full_name, before=previous, after=role)
    _member_updated(member)
    return member


def _check_no_confidential_spaces(member: User) -> None:
    """A guest never sees confidential content: refuse, naming the spaces, rather than remove anyone silently."""
    spaces = labels.confidential_spaces_of(member)
    if spaces:
        raise Conflict(
            _(
                "%(name)s belongs to spaces that hold confidential content: %(spaces)s. Guests never see "
                "confidential content: remove them from those spaces first, then make them a guest."
            )
            % {"name": member.full_name, "spaces": ", ".join(space.name for space in spaces)}
        )


def _member_updated(member: User) -> None:
    publish(
        MemberUpdated(user_id=member.pk, role=member.role, is_active=member.is_active),
        organisation_id=member.org_id,
        audience=Audience.USER,
        user_id=member.pk,
    )


def end_sessions_and_tokens(user: User) -> None:
    """Sign an account out everywhere at once: its API tokens, and its identity's browser sessions
    when no other active account is left (otherwise ActiveAccountMiddleware refuses this account on
    the next request and the person's other organisations stay open)."""
    identity = identity_of(user)
    if not accounts_of(identity).filter(is_active=True).exclude(pk=user.pk).exists():
        for session in UserSession.objects.filter(user_id__in={identity.pk, user.pk}):
            session.end()
    AccessToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token_cache.invalidate()  # an update() sends no signal


def deactivate_member(actor: User, *, member: User) -> User:
    try:
        return _deactivate_member(actor, member=member)
    except PermissionDenied as denied:
        # After the rollback, in a transaction of its own: the refusal stays on record.
        audit.record("member.deactivate.denied", actor=actor, target=member, label=member.full_name, reason=str(denied))
        raise


@transaction.atomic
def _deactivate_member(actor: User, *, member: User) -> User:
    _require_same_org(actor, member)
    require_org_admin(actor)
    if member.pk == actor.pk:
        raise Conflict(_("You cannot deactivate yourself; ask another admin."))
    if member.role == Role.OWNER and not actor.is_owner:
        raise PermissionDenied(_("Only an owner can deactivate an owner."))
    _check_not_last_owner(member)
    if not member.is_active:
        return member
    member.is_active = False
    member.deactivated_at = timezone.now()
    member.save(update_fields=["is_active", "deactivated_at"])
    end_sessions_and_tokens(member)
    audit.record("member.deactivate", actor=actor, target=member, label=member.full_name)
    # Every server process closes this person's open sockets when it sees this.
    publish(
        MemberDeactivated(user_id=member.pk),
        organisation_id=member.org_id,
        audience=Audience.USER,
        user_id=member.pk,
    )
    return member


@transaction.atomic
def reactivate_member(actor: User, *, member: User) -> User:
    _require_same_org(actor, member)
    require_org_admin(actor)
    if member.role == Role.OWNER and not actor.is_owner:
        raise PermissionDenied(_("Only an owner can reactivate an owner."))
    if member.is_active:
        return member
    member.is_active = True
    member.deactivated_at = None
    member.save(update_fields=["is_active", "deactivated_at"])
    audit.record("member.reactivate", actor=actor, target=member, label=member.full_name)
    _member_updated(member)
    return member


@transaction.atomic
def create_user(
    *, organisation: Organisation, email: str, full_name: str, role: str = Role.MEMBER, password: str | None = None
) -> User:
    """Create an account directly (an operator task: `alveole createuser`, demo data)."""
    email = clean_email(email)
    if role not in Role.values:
        raise Invalid(fields={"role": _("Choose one of: owner, admin, member, guest.")})
    # Only this organisation's accounts conflict: an address used elsewhere is the same person, who
    # gets an account here under the same identity (keeping its own password).
    if User.objects.filter(organisation=organisation, email__iexact=email).exists():
        raise Conflict(_("Someone with this email address already has an account."))
    full_name = clean_full_name(full_name)
    user = User(
        email=email,
        full_name=full_name,
        organisation=organisation,
        role=role,
        handle=unique_handle(organisation.pk, full_name, email),
    )
    if password is not None:
        clean_password(password, user)
    attach_identity(user, password=password)
    user.save()
    audit.record("member.create", actor=None, organisation=organisation, target=user, label=user.full_name, role=role)
    return user


# --- Accounts vouched for by the organisation's identity provider (alveole.sso) ---------------------------------------


@transaction.atomic
def create_account_from_provider(*, organisation: Organisation, email: str, full_name: str, role: str) -> User:
    """An account made at its first single sign-on, with an identity of its own that has no password.

    Its identity is never an existing one found by address: a provider vouches for one organisation only,
    so it must not open the person's other organisations (sso/adapter.py)."""
    email = clean_email(email)
    if role not in Role.values:
        raise Invalid(fields={"role": _("Choose one of: owner, admin, member, guest.")})
    if User.objects.filter(organisation=organisation, email__iexact=email).exists():
        raise Conflict(_("%(email)s already has an account in this organisation.") % {"email": email})
    full_name = clean_full_name(full_name or email.split("@", 1)[0])
    identity = User(login_email=None, email="", full_name=full_name)
    identity.set_unusable_password()
    identity.save()
    user = User(
        email=email,
        full_name=full_name,
        organisation=organisation,
        role=role,
        identity=identity,
        handle=unique_handle(organisation.pk, full_name, email),
    )
    user.set_unusable_password()
    user.save()
    audit.record(
        "member.create", actor=None, organisation=organisation, target=user, label=user.full_name, role=role, via="sso"
    )
    return user


@transaction.atomic
def set_role_from_provider(*, member: User, role: str) -> User:
    """The role the organisation's identity provider gives `member` at sign-in. The last active owner is
    never demoted (the organisation would have nobody to manage it): that change is skipped, and audited."""
    if role not in Role.values or member.role == role:
        return member
    previous = member.role
    if previous == Role.OWNER or role == Role.GUEST:
        try:
            if previous == Role.OWNER:
                _check_not_last_owner(member)
            if role == Role.GUEST:  # a guest never sees confidential content: keep the role, say why in the log
                _check_no_confidential_spaces(member)
        except Conflict:
            audit.record(
                "member.role.denied",
                actor=None,
                organisation=member.organisation,
                target=member,
                label=member.full_name,
                role=role,
                reason="last owner",
                via="sso",
            )
            return member
    member.role = role
    member.save(update_fields=["role"])
    audit.record(
        "member.role",
        actor=None,
        organisation=member.organisation,
        target=member,
        label=member.full_name,
        before=previous,
        after=role,
        via="sso",
    )
    _member_updated(member)
    return member
