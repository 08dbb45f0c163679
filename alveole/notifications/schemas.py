from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field

from alveole.core.bounds import Id, UserDateTime, UserTime


class NotificationOut(Schema):
    id: int
    kind: str
    text: str
    post_id: int | None
    comment_id: int | None
    space_id: int | None
    actor_id: int | None
    actor_count: int
    unread: bool
    updated_at: datetime


class NotificationPage(Schema):
    items: list[NotificationOut]
    next_cursor: str | None
    unread: int


class UnreadOut(Schema):
    unread: int


class SettingsOut(Schema):
    muted_kinds: list[str]
    email_kinds: list[str]
    email_mode: str
    work_start: UserTime
    work_end: UserTime
    work_days: list[int]
    muted_space_ids: list[int]


class SettingsIn(Schema):
    muted_kinds: list[str] | None = Field(None, description="mention, reply, reaction, space_added")
    email_kinds: list[str] | None = None
    email_mode: str | None = Field(None, description="off, immediate, daily or weekly")
    work_start: UserTime | None = None
    work_end: UserTime | None = None
    work_days: list[int] | None = Field(None, description="0 = Monday … 6 = Sunday")


class MuteIn(Schema):
    muted: bool = True


class CatchUpPostOut(Schema):
    id: int
    author: str
    excerpt: str
    created_at: datetime
    comment_count: int


class CatchUpSpaceOut(Schema):
    space_id: int | None
    space_name: str | None
    new_posts: int
    for_me: list[CatchUpPostOut]
    busiest: list[CatchUpPostOut]


class CatchUpOut(Schema):
    since: datetime
    until: datetime
    spaces: list[CatchUpSpaceOut]
    notifications: list[NotificationOut]


class CatchUpDoneIn(Schema):
    post_ids: list[Id] = Field(default_factory=list, max_length=1000)
    until: UserDateTime | None = Field(None, description="the `until` of the catch-up that was read")


# --- Web Push ---


class PushKeyOut(Schema):
    public_key: str = Field(description="the VAPID application server key, base64url: pushManager.subscribe's key")


class PushKeysIn(Schema):
    p256dh: str = Field(min_length=1, max_length=200, description="the device's P-256 public key, base64url")
    auth: str = Field(min_length=1, max_length=100, description="the device's 16-byte authentication secret, base64url")


class PushSubscriptionIn(Schema):
    """The browser's `PushSubscription.toJSON()`, plus a label for the device."""

    endpoint: str = Field(min_length=1, max_length=1000)
    keys: PushKeysIn
    expirationTime: int | None = None
    device: str = Field("", max_length=100, description="e.g. “Firefox on my laptop”")


class PushEndpointIn(Schema):
    endpoint: str = Field(min_length=1, max_length=1000)


class PushDeviceOut(Schema):
    id: int
    device: str
    created_at: datetime
    last_success_at: datetime | None


class PushSettingsOut(Schema):
    kinds: list[str]
    devices: list[PushDeviceOut]


class PushSettingsIn(Schema):
    kinds: list[str] = Field(max_length=10, description="mention, direct_message, task_assigned, decision")
