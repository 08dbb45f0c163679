from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Being prepared")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class Export(models.Model):
    """A ZIP of a space (or, for an owner, of the whole organisation), built by a background job.

    A personal export (`personal`, no space) holds its requester's own direct messages: the
    conversations they take part in, and nothing of anyone else's."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    space = models.ForeignKey("spaces.Space", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    storage_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    # Published posts with a confidential label left out because the requester is not an owner.
    confidential_left_out = models.PositiveIntegerField(default=0)
    personal = models.BooleanField(default=False)
    # How many conversations (direct messages) the ZIP holds: a personal export's own, or every one of an
    # export of everything under the organisation's policy (export_includes_conversations); else 0.
    conversations = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"export {self.pk}"


class RetentionPolicy(models.Model):
    """How long content is kept: for a whole organisation (space empty) or one space.

    A space's own period wins over the organisation's. A legal hold on a space
    stops every deletion there, whatever the periods say.
    """

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    space = models.OneToOneField(
        "spaces.Space", null=True, blank=True, on_delete=models.CASCADE, related_name="retention"
    )
    days = models.PositiveIntegerField(null=True, blank=True)  # empty: keep for ever
    legal_hold = models.BooleanField(default=False)
    legal_hold_reason = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"], condition=models.Q(space__isnull=True), name="one_org_retention"
            )
        ]

    def __str__(self) -> str:
        return f"retention of {self.space_id or 'organisation'}"
