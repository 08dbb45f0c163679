"""The live events notifications emit (see alveole.live)."""

from __future__ import annotations

from typing import Literal

from alveole.live.publish import LiveEvent


class NotificationsChanged(LiveEvent):
    type: Literal["notifications.changed"] = "notifications.changed"
    unread: int
    notification_id: int | None = None
