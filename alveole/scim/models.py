from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ScimToken(models.Model):
    """A bearer token an identity provider uses to provision one organisation. Only a SHA-256 of the
    secret is stored (core.secrets); the provider acts with the rights of the owner who created it."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="scim_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("SCIM token")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ResourceKind(models.TextChoices):
    USER = "User", "User"
    GROUP = "Group", "Group"


class ScimResource(models.Model):
    """One SCIM resource of an organisation, as its provider last wrote it.

    The whole document is kept (`data`), so attributes Alvéole does not model (addresses, phone
    numbers, nested groups…) come back as they were sent; what Alvéole models is projected onto its
    own rows: a User onto an account, a Group onto a private space. A deleted resource is only marked
    (`deleted_at`): the account is deactivated and the space archived, never erased."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="scim_resources")
    kind = models.CharField(max_length=5, choices=ResourceKind.choices)
    scim_id = models.UUIDField(default=uuid.uuid4, unique=True)
    external_id = models.CharField(max_length=255, blank=True)
    # userName (User) or displayName (Group), lowercased: the equality fast path and uniqueness.
    key = models.CharField(max_length=255, blank=True)
    data = models.JSONField(default=dict)
    version = models.PositiveIntegerField(default=1)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="scim_resources"
    )
    space = models.ForeignKey(
        "spaces.Space", null=True, blank=True, on_delete=models.SET_NULL, related_name="scim_resources"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("SCIM resource")
        indexes = [models.Index(fields=["organisation", "kind", "key"], name="scim_org_kind_key")]
        constraints = [
            # One live provisioned resource per account and per space.
            models.UniqueConstraint(
                fields=["account"], condition=models.Q(deleted_at__isnull=True), name="scim_one_live_per_account"
            ),
            models.UniqueConstraint(
                fields=["space"], condition=models.Q(deleted_at__isnull=True), name="scim_one_live_per_space"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.scim_id}"
