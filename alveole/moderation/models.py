"""Reports of posts and comments: one open report per item, each person who reported it a row."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Reason(models.TextChoices):
    SPAM = "spam", _("Spam or advertising")
    HARASSMENT = "harassment", _("Harassment or hateful content")
    CONFIDENTIAL = "confidential", _("Confidential information shared too widely")
    OFF_TOPIC = "off_topic", _("Off-topic for this space")
    OTHER = "other", _("Something else")


class Status(models.TextChoices):
    OPEN = "open", _("Waiting for a moderator")
    DISMISSED = "dismissed", _("Dismissed")
    HIDDEN = "hidden", _("Hidden")
    DELETED = "deleted", _("Deleted")


class Report(models.Model):
    """Everything said about one post or comment until a moderator settles it.

    A new report of an item joins its open one, so that the queue shows each item once
    with how many people reported it and why.
    """

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    # The post's space (None: a profile post), kept here so the queue filters without joining the post.
    space = models.ForeignKey("spaces.Space", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey("feed.Post", on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey("feed.Comment", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["organisation", "status", "-updated_at"], name="report_queue")]
        constraints = [
            models.UniqueConstraint(
                fields=["post"], condition=Q(status="open", comment__isnull=True), name="one_open_report_per_post"
            ),
            models.UniqueConstraint(
                fields=["comment"],
                condition=Q(status="open", comment__isnull=False),
                name="one_open_report_per_comment",
            ),
        ]

    def __str__(self) -> str:
        return f"report {self.pk}"


class Reporter(models.Model):
    """One person's report of an item; reporting it again while it is open updates this row."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="reporters")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "user"], name="one_row_per_reporter")]

    def __str__(self) -> str:
        return f"reporter {self.user_id} of report {self.report_id}"
