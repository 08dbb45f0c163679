"""Identities and accounts: one person signs in once and may hold an account in several organisations.

Both are rows of `accounts.User` (see its docstring):

- an **identity** (`organisation` NULL) is allauth's and Django's user: `login_email`, the password,
  two-factor authenticators, email addresses and the list of sessions belong to it;
- an **account** (`organisation` set, `identity` set) is the person inside one organisation. Everything
  else in Alvéole (roles, posts, tokens, notifications, sockets, audit) is about accounts.

The session's signed-in user is normally the identity; `ActiveAccountMiddleware` puts the active account
(`SESSION_KEY`) in `request.user` on every page but allauth's own (`/accounts/…`, where the identity
manages its password, two-factor and sessions). A session whose signed-in user is an account (kept for
single sign-on, where a provider vouches for one organisation only) is bound to that account: it cannot switch.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import SessionBase
from django.db.models import QuerySet
from django.http import HttpRequest

from alveole.core.errors import NotFound

from .models import User

# The session key holding the active account's id.
SESSION_KEY = "alveole.account"
# Where the signed-in identity itself is request.user: allauth's pages (password, two-factor, email
# addresses, sessions, re-authentication, sign-in and sign-out).
IDENTITY_PATHS = ("/accounts/",)
# The session key holding the address of an invitation opened in this browser (set by the invitation
# page): an identity with that sign-in address may sign in even with no active account left, to reach
# the invitation and accept it (JOIN_PATHS only), and nowhere else.
JOINING_KEY = "alveole.joining"
JOIN_PATHS = ("/invite/",)


def may_sign_in_to_join(identity: User, session: SessionBase) -> bool:
    """An identity without an active account may sign in to accept an invitation to its own address."""
    joining = session.get(JOINING_KEY)
    return bool(joining) and identity.organisation_id is None and joining == (identity.login_email or "").lower()


def identity_of(user: User) -> User:
    """The identity behind an account (an identity is its own)."""
    if user.organisation_id is None:
        return user
    return user.identity if user.identity is not None else user


def accounts_of(identity: User) -> QuerySet[User]:
    """The identity's accounts, active or not, oldest first, with their organisation."""
    return User.objects.filter(identity_id=identity.pk, organisation__isnull=False).select_related("organisation")


def usable(account: User, identity: User) -> bool:
    """Whether `identity` may act as `account` now: its own, active, in an organisation.

    The organisation's other rules (two-factor for admins) are applied by their own doors
    (`RequireMFAMiddleware` and mfa.py) once the account is active."""
    return account.organisation_id is not None and account.identity_id == identity.pk and account.is_active


def choose_account(identity: User, preferred_id: object = None) -> User | None:
    """The account a session of `identity` acts as: the preferred one if still usable, else the one
    used last, else the oldest active one; None when the identity has no active account left."""
    candidates = list(accounts_of(identity).filter(is_active=True).order_by("pk"))
    by_id = {a.pk: a for a in candidates}
    for wanted in (preferred_id, identity.last_account_id):
        try:
            account = by_id.get(int(wanted)) if wanted is not None else None  # type: ignore[call-overload]
        except (TypeError, ValueError):
            account = None
        if account is not None:
            return account
    return candidates[0] if candidates else None


def remember(identity: User, account: User) -> None:
    """Open `account` first the next time `identity` signs in."""
    if identity.last_account_id != account.pk and identity.organisation_id is None:
        identity.last_account = account
        User.objects.filter(pk=identity.pk).update(last_account=account)


def switch_to(request: HttpRequest, account: User) -> User:
    """Make `account` the active account of the request's session (the seam for the organisation switcher).

    Refused (NotFound, so nothing is revealed) unless the session is an identity's, not bound to one
    account, and the account is the identity's own and active. The session key changes, as at sign-in."""
    identity = getattr(request, "identity", None)
    bound = getattr(request, "account_bound", False)
    if not isinstance(identity, User) or bound or not usable(account, identity):
        raise NotFound()
    request.session.cycle_key()
    request.session[SESSION_KEY] = account.pk
    remember(identity, account)
    request.account = account  # type: ignore[attr-defined]
    if not request.path.startswith(IDENTITY_PATHS):
        request.user = account
    return account


def sign_in_account(request: HttpRequest, account: User) -> None:
    """After a sign-in of `account`'s identity (such as accepting an invitation): open this account."""
    request.session[SESSION_KEY] = account.pk
    if account.identity is not None:
        remember(account.identity, account)


def session_account(user: User, session: SessionBase) -> tuple[User, User | None, bool]:
    """For a session's signed-in user: (its identity, the account it acts as or None, bound to it).

    The one resolution the web (`resolve`) and the WebSocket (realtime/ws.py) share."""
    if user.organisation_id is not None:
        # Bound to one account (single sign-on, or a test client signed in as the account).
        return (user.identity or user), (user if user.is_active else None), True
    return user, choose_account(user, session.get(SESSION_KEY)), False


def resolve(request: HttpRequest) -> None:
    """Set request.identity, request.account and request.account_bound, and make request.user the account.

    When the signed-in identity has no usable account left (deactivated everywhere), the session ends."""
    user = request.user
    request.identity = None  # type: ignore[attr-defined]
    request.account = None  # type: ignore[attr-defined]
    request.account_bound = False  # type: ignore[attr-defined]
    if not isinstance(user, User) or not user.is_authenticated:
        return
    identity, account, bound = session_account(user, request.session)
    if account is None and not bound and request.path.startswith(JOIN_PATHS):
        if may_sign_in_to_join(identity, request.session):
            # Deactivated everywhere, signed in to accept a new invitation: the invitation page
            # alone sees the identity; every other page still treats the session as signed out.
            request.identity = identity  # type: ignore[attr-defined]
            request.user = AnonymousUser()
            return
    if account is None:
        request.session.flush()
        request.user = AnonymousUser()
        return
    if request.session.get(SESSION_KEY) != account.pk:
        request.session[SESSION_KEY] = account.pk
        remember(identity, account)
    request.identity = identity  # type: ignore[attr-defined]
    request.account = account  # type: ignore[attr-defined]
    request.account_bound = bound  # type: ignore[attr-defined]
    if not request.path.startswith(IDENTITY_PATHS):
        request.user = account


def organisations_of(request: HttpRequest) -> list[User]:
    """The signed-in person's own accounts, active or not, for the switcher and "Your organisations".

    Only ever the request's own identity's: nobody else's memberships are listed anywhere. A session
    bound to one account (single sign-on) sees that account alone."""
    identity = getattr(request, "identity", None)
    account = getattr(request, "account", None)
    if not isinstance(identity, User) or not isinstance(account, User):
        return []
    if getattr(request, "account_bound", False):
        return [account]
    return list(accounts_of(identity).order_by("organisation__name", "pk"))


def active_account(identity: User) -> User | None:
    """Outside a request: the account an identity acts as (the one used last, else the oldest active)."""
    return choose_account(identity)


def find_identity(login_email: str) -> User | None:
    return User.objects.filter(organisation__isnull=True, login_email__iexact=login_email.strip()).first()


def attach_identity(account: User, *, password: str | None) -> User:
    """Give a new account (not saved yet) its identity: the one signing in with its address, or a new one.

    The password (when given) is set on a new identity (or one left without accounts); an identity in
    use keeps its own. The
    account's own password is unusable: people sign in as their identity."""
    identity = find_identity(account.email)
    if identity is None:
        identity = User(
            login_email=account.email.lower(),
            email="",
            full_name=account.full_name,
            language=account.language,
            time_zone=account.time_zone,
        )
        if password is None:
            identity.set_unusable_password()
        else:
            identity.set_password(password)
        identity.save()
    elif password is not None and not accounts_of(identity).exists():
        # Left without accounts (its organisations were deleted): whoever holds this address's new
        # invitation chooses the password again.
        identity.set_password(password)
        identity.save(update_fields=["password"])
    account.identity = identity
    account.set_unusable_password()
    return identity
