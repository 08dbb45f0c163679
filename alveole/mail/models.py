"""Tables of the email bridge: per-space email settings, what was sent (to pace emails), what was received
(so a message delivered twice is posted once)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SpaceMailSettings(models.Model):
    """How a space meets email. Without a row, the defaults apply: no post text in emails, no address."""

    space = models.OneToOneField("spaces.Space", on_delete=models.CASCADE, related_name="+")
    # Emails about this space's posts carry their text; otherwise only who did what, and a link.
    include_content = models.BooleanField(_("include post text in emails"), default=False)
    # space+<address_key>@ALVEOLE_MAIL_DOMAIN posts in the space; null when the address is off.
    # A fresh random key each time it is turned on, so an address once leaked can be retired.
    address_key = models.CharField(max_length=32, null=True, blank=True, unique=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("space email settings")

    def __str__(self) -> str:
        return f"email settings of space {self.space_id}"

    @property
    def address_enabled(self) -> bool:
        return bool(self.address_key)


class SentKind(models.TextChoices):
    NOTIFICATION = "notification", _("Notification")
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest")
    BOUNCE = "bounce", _("Bounce")


class SentEmail(models.Model):
    """One email sent: paces emails per notification line and tells when the last digest went out."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=SentKind.choices)
    notification = models.ForeignKey(
        "notifications.Notification", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["user", "kind", "-sent_at"], name="sentemail_user_kind_time"),
            models.Index(fields=["notification", "-sent_at"], name="sentemail_notification_time"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.user_id} at {self.sent_at:%Y-%m-%d %H:%M}"


class ReceivedEmail(models.Model):
    """An accepted incoming email, by Message-ID and recipient: a redelivery is accepted without posting twice."""

    key = models.CharField(max_length=64, unique=True)  # sha256 of Message-ID + recipient
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    post = models.ForeignKey("feed.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.ForeignKey("feed.Comment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"email {self.key[:12]} from {self.user_id}"
