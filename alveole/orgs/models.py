from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alveole.accounts.models import Role
from alveole.core.policies import GuestAdders, SpaceCreators, all_file_families


class Organisation(models.Model):
    """A tenant. Nothing is ever shared between organisations."""

    name = models.CharField(_("name"), max_length=120)
    require_mfa_for_admins = models.BooleanField(
        _("require two-factor authentication for owners and admins"), default=False
    )
    # Policies (README, "Organisation policies"); the defaults are what Alvéole did before they existed.
    space_creators = models.CharField(
        _("who may create spaces"), max_length=10, choices=SpaceCreators.choices, default=SpaceCreators.MEMBERS
    )
    guest_adders = models.CharField(
        _("who may add guests to spaces"), max_length=10, choices=GuestAdders.choices, default=GuestAdders.MANAGERS
    )
    guests_may_post = models.BooleanField(_("guests may start posts"), default=True)
    upload_families = models.JSONField(_("allowed file types"), default=all_file_families)
    # Only ever lowers the deployment's ALVEOLE_UPLOAD_MAX_MB; 0 means that limit.
    upload_max_mb = models.PositiveIntegerField(_("maximum file size (MB)"), default=0)
    # Authors may edit or delete their posts and comments for this long; 0 means always.
    edit_window_minutes = models.PositiveIntegerField(_("edit and delete window (minutes)"), default=0)
    # Confidentiality (README, "Confidentiality").
    confidential_space_creators = models.CharField(
        _("who may create confidential spaces"),
        max_length=10,
        choices=SpaceCreators.choices,
        default=SpaceCreators.MANAGERS,
    )
    confidential_downloads = models.BooleanField(_("allow downloads of confidential files"), default=True)
    # Direct messages are confidential by nature: owners' full export holds them only when this is on
    # (README, "Direct messages"). Owners alone change it; each change is audited.
    export_includes_conversations = models.BooleanField(
        _("owners' full export includes direct messages"), default=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")

    def __str__(self) -> str:
        return self.name


class Invitation(models.Model):
    """An emailed, expiring, single-use link to join an organisation.

    Only a SHA-256 of the link's secret is stored.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    spaces = models.ManyToManyField("spaces.Space", blank=True, related_name="+", verbose_name=_("spaces"))
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "email"], name="invitation_org_email")]

    def __str__(self) -> str:
        return self.email

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"
