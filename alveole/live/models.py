from __future__ import annotations

from django.conf import settings
from django.db import models


class Audience(models.TextChoices):
    SPACE = "space"  # everyone who can read `space`
    USER = "user"  # only `user`
    MEMBERS = "members"  # everyone in the organisation but guests
    EVERYONE = "everyone"  # everyone in the organisation


class Event(models.Model):
    """The durable log of what changed, numbered per organisation without gaps, in commit order.

    A client that reconnects with the last number it saw gets every event it
    missed and may see, in order, exactly once.
    """

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    seq = models.PositiveBigIntegerField()
    type = models.CharField(max_length=64)
    audience = models.CharField(max_length=10, choices=Audience.choices)
    space = models.ForeignKey("spaces.Space", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "seq"], name="unique_event_seq")]

    def __str__(self) -> str:
        return f"{self.type} #{self.seq}"
