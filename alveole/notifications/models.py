from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    MENTION = "mention", _("Someone mentions me")
    REPLY = "reply", _("Someone replies to my post or comment")
    REACTION = "reaction", _("Someone reacts to my post")
    SPACE_ADDED = "space_added", _("I am added to a space")
    TASK_ASSIGNED = "task_assigned", _("I am assigned a task")
    TASK_DUE = "task_due", _("A task of mine is due soon or late")
    DECISION = "decision", _("A vote I have not answered closes soon")
    REPORT = "report", _("A moderator reviews something I reported")
    REVIEW = "review", _("A moderator validates or refuses what I wrote")
    QUEUE = "queue", _("Something waits for my validation in a space I manage")


class Notification(models.Model):
    """One line in someone's notifications, grouping every actor of the same kind on the same post."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    post = models.ForeignKey("feed.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey("feed.Comment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    space = models.ForeignKey("spaces.Space", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # the latest one
    actor_ids = models.JSONField(default=list)  # distinct, latest first (at most 20 kept)
    actor_count = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-updated_at", "-id"], name="notification_user_time")]
        constraints = [
            # One unread line per (person, kind, post or space): new actors join it.
            models.UniqueConstraint(
                "user",
                "kind",
                Coalesce("post", Value(0)),
                Coalesce("space", Value(0)),
                condition=Q(read_at__isnull=True),
                name="one_unread_notification_per_thing",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"


class EmailMode(models.TextChoices):
    OFF = "off", _("Never")
    IMMEDIATE = "immediate", _("Soon after it happens (grouped)")
    DAILY = "daily", _("A daily digest")
    WEEKLY = "weekly", _("A weekly digest")


def default_work_days() -> list[int]:
    return [0, 1, 2, 3, 4]  # Monday to Friday


class NotificationSettings(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # Kinds switched off, in the app and by email.
    muted_kinds = models.JSONField(default=list, blank=True)
    email_kinds = models.JSONField(default=list, blank=True)  # empty: every kind not muted
    email_mode = models.CharField(max_length=10, choices=EmailMode.choices, default=EmailMode.IMMEDIATE)
    work_start = models.TimeField(default=datetime.time(8, 0))
    work_end = models.TimeField(default=datetime.time(19, 0))
    work_days = models.JSONField(default=default_work_days)  # 0 = Monday
    caught_up_at = models.DateTimeField(null=True, blank=True)
    # When the person last saved these settings: the row also exists after a catch-up, so its
    # existence alone does not say that they chose anything (the home page's first steps ask).
    saved_at = models.DateTimeField(null=True, blank=True)
    # The home page's "first steps" list was closed by the person (alveole/shell/first_steps.py).
    first_steps_dismissed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"notification settings of {self.user_id}"


class SpaceMute(models.Model):
    """No notifications from this space for this person."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    space = models.ForeignKey("spaces.Space", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "space"], name="unique_space_mute")]

    def __str__(self) -> str:
        return f"{self.user_id} mutes {self.space_id}"


# --- Web Push -----------------------------------------------------------------------------------


class PushKind(models.TextChoices):
    """What a person may choose to have pushed to their devices (the rest stays in the app and email).
    The values are the notification kinds they stand for; a direct message's kind is "direct_message"."""

    MENTION = "mention", _("Someone mentions me")
    DIRECT_MESSAGE = "direct_message", _("Someone writes to me directly")
    TASK_ASSIGNED = "task_assigned", _("I am assigned a task")
    DECISION = "decision", _("A vote I have not answered closes soon")


def default_push_kinds() -> list[str]:
    return list(PushKind.values)


class PushSettings(models.Model):
    """What a person chose to have pushed, for every device they turned push on for."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kinds = models.JSONField(default=default_push_kinds, blank=True)

    def __str__(self) -> str:
        return f"push settings of {self.user_id}"


class PushSubscription(models.Model):
    """One browser or phone that agreed to receive pushes for one account (the Push API's subscription)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    endpoint = models.URLField(max_length=1000)  # the push service's address for this device
    p256dh = models.CharField(max_length=200)  # the device's public key (base64url), payloads are encrypted to it
    auth = models.CharField(max_length=100)  # the device's authentication secret (base64url)
    device = models.CharField(max_length=100, blank=True)  # a label the person recognises ("Firefox on Linux")
    created_at = models.DateTimeField(auto_now_add=True)
    last_success_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "endpoint"], name="unique_push_endpoint_per_user")]

    def __str__(self) -> str:
        return f"push subscription {self.pk} of {self.user_id}"


class PushState(models.TextChoices):
    PENDING = "pending"  # waits for the person's working hours, or for its job
    SENDING = "sending"  # claimed: handed to the push service at most once
    SENT = "sent"
    FAILED = "failed"  # refused by the push service, or given up after retries
    DROPPED = "dropped"  # read in the app meanwhile, or too old: no point in pushing it


class PushDelivery(models.Model):
    """The outbox of pushes: one row per (notification line, device), so a line is pushed to a device once,
    however often its job runs."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="+")
    subscription = models.ForeignKey(PushSubscription, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(max_length=10, choices=PushState.choices, default=PushState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notification", "subscription"], name="one_push_per_line_and_device")
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="push_delivery_state")]

    def __str__(self) -> str:
        return f"push of {self.notification_id} to {self.subscription_id}: {self.state}"
