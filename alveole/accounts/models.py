from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from alveole.orgs.models import Organisation


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    MEMBER = "member", _("Member")
    GUEST = "guest", _("Guest")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, login_email: str, password: str | None = None, **fields: Any) -> User:
        """A sign-in identity (Django's and allauth's "user"); accounts are made with accounts.identity."""
        if not login_email:
            raise ValueError("An email address is required.")
        user = self.model(login_email=self.normalize_email(login_email).lower(), email="", **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, login_email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_superuser", True)
        return self.create_user(login_email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """Two kinds of rows, one table (see accounts/identity.py).

    An **account** (`organisation` set) is a person in one organisation, with one role in it: every
    feature, foreign key, token, notification and socket is about an account. `email` is the address
    the organisation knows it by (unique within the organisation); its password is unusable.

    An **identity** (`organisation` NULL) is how a person signs in: `login_email`, password, two-factor,
    email addresses and sessions (allauth's user). Its accounts point to it through `identity`.
    """

    email = models.EmailField(_("email address"), blank=True)
    # Identities only: what the person signs in with (USERNAME_FIELD, allauth's email field). NULL on
    # accounts, and on an identity that cannot sign in with a password (left for single sign-on).
    login_email = models.EmailField(_("sign-in email address"), unique=True, null=True, blank=True)
    identity = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="accounts", verbose_name=_("identity")
    )
    # On identities: the account opened after sign-in (the one used last).
    last_account = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("last account")
    )
    full_name = models.CharField(_("full name"), max_length=150)
    # What people type after "@" to mention someone; unique within the organisation.
    handle = models.CharField(_("handle"), max_length=40, default="")
    organisation = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    title = models.CharField(_("job title"), max_length=150, blank=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("Leave empty to follow your browser's language."),
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "login_email"
    EMAIL_FIELD = "login_email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        indexes = [models.Index(fields=["organisation", "role"], name="user_org_role")]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "handle"], name="unique_handle_per_org"),
            models.UniqueConstraint(fields=["organisation", "email"], name="unique_email_per_org"),
            models.UniqueConstraint(fields=["organisation", "identity"], name="one_account_per_org_and_identity"),
            models.CheckConstraint(
                condition=(
                    models.Q(organisation__isnull=True, identity__isnull=True)
                    | models.Q(organisation__isnull=False, identity__isnull=False, login_email__isnull=True)
                ),
                name="identity_or_account",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def is_identity(self) -> bool:
        return self.organisation_id is None

    @property
    def org_id(self) -> int:
        """An account's organisation id, typed as always there (an identity has none: it raises)."""
        if self.organisation_id is None:
            raise ValueError("An identity belongs to no organisation: use its accounts.")
        return self.organisation_id

    @property
    def org(self) -> Organisation:
        """An account's organisation, typed as always there (an identity has none: it raises)."""
        if self.organisation is None:
            raise ValueError("An identity belongs to no organisation: use its accounts.")
        return self.organisation

    @property
    def is_guest(self) -> bool:
        return self.role == Role.GUEST

    @property
    def is_org_admin(self) -> bool:
        return self.role in (Role.OWNER, Role.ADMIN)

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER

    @property
    def initials(self) -> str:
        parts = [p for p in (self.full_name or self.email).replace(".", " ").split() if p]
        return "".join(p[0] for p in parts[:2]).upper() or "?"

    @property
    def avatar_tone(self) -> int:
        """A stable colour (one of 8 CSS classes) per person for the initials avatar."""
        return (self.pk or 0) % 8

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class AccessToken(models.Model):
    """A personal access token for the API. Only a SHA-256 of the secret is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("access token")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
