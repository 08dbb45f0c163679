"""Every change to notifications and their settings goes through here."""

from __future__ import annotations

import base64
import binascii
import datetime

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alveole.accounts.models import User
from alveole.core.bounds import check_date, check_ids
from alveole.core.errors import Invalid, NotFound
from alveole.feed.actions import record_reads
from alveole.feed.models import Comment, Post, Review
from alveole.live.models import Audience
from alveole.live.publish import publish
from alveole.spaces.models import Space

from . import push, signals
from .access import notifications_of, settings_of
from .events import NotificationsChanged
from .models import (
    EmailMode,
    Kind,
    Notification,
    NotificationSettings,
    PushKind,
    PushSettings,
    PushSubscription,
    SpaceMute,
)

MAX_ACTORS_KEPT = 20
MAX_PUSH_DEVICES = 20  # per person: browsers and phones; a forgotten one is stopped from the settings page


def _unread_changed(user: User, notification_id: int | None = None) -> None:
    unread = notifications_of(user).filter(read_at__isnull=True).count()
    publish(
        NotificationsChanged(unread=unread, notification_id=notification_id),
        organisation_id=user.org_id,
        audience=Audience.USER,
        user_id=user.pk,
    )


def _wants(user: User, kind: str, space_id: int | None) -> bool:
    if not user.is_active:
        return False
    prefs = settings_of(user)
    if kind in prefs.muted_kinds:
        return False
    return space_id is None or not SpaceMute.objects.filter(user=user, space_id=space_id).exists()


@transaction.atomic
def notify(
    user: User,
    *,
    kind: str,
    actor: User,
    post_id: int | None = None,
    comment_id: int | None = None,
    space_id: int | None = None,
    include_self: bool = False,
) -> Notification | None:
    """Tell `user` that `actor` did something; joins the unread line about the same thing if there is one.

    `include_self`: also when `user` is the actor (reminders about one's own tasks)."""
    if (user.pk == actor.pk and not include_self) or not _wants(user, kind, space_id):
        return None
    key = {"user": user, "kind": kind, "post_id": post_id, "space_id": None if post_id else space_id}
    existing = Notification.objects.select_for_update().filter(read_at__isnull=True, **key).first()
    if existing is None:
        try:
            with transaction.atomic():
                existing = Notification.objects.create(
                    organisation_id=user.org_id,
                    actor=actor,
                    actor_ids=[actor.pk],
                    comment_id=comment_id,
                    **key,
                )
        except IntegrityError:  # another job created it a moment ago
            existing = Notification.objects.select_for_update().get(read_at__isnull=True, **key)
        else:
            _unread_changed(user, existing.pk)
            # A new line (not a new actor on an unread one) may be pushed: its job is written with it.
            signals.line_created.send(sender=Notification, notification=existing)
            return existing
    ids = [actor.pk] + [i for i in existing.actor_ids if i != actor.pk]
    if actor.pk not in existing.actor_ids:
        existing.actor_count += 1
    existing.actor_ids = ids[:MAX_ACTORS_KEPT]
    existing.actor = actor
    existing.comment_id = comment_id or existing.comment_id
    existing.emailed_at = None  # there is news to email again
    existing.save()
    _unread_changed(user, existing.pk)
    return existing


@transaction.atomic
def mark_read(actor: User, *, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        _unread_changed(actor, notification.pk)
    return notification


@transaction.atomic
def clear_queue_lines(space_id: int | None) -> None:
    """When nothing waits for validation in the space any more (approved, refused, or withdrawn by its author),
    its "waits for your validation" lines are done with, for every manager, so none is emailed or counted unread."""
    if space_id is None:
        return
    held = Post.objects.filter(space_id=space_id, review=Review.HELD, deleted_at__isnull=True).exists() or (
        Comment.objects.filter(post__space_id=space_id, review=Review.HELD, deleted_at__isnull=True).exists()
    )
    if held:
        return
    lines = Notification.objects.filter(kind=Kind.QUEUE, space_id=space_id, read_at__isnull=True)
    managers = list(User.objects.filter(pk__in=lines.values("user_id")))
    lines.update(read_at=timezone.now())
    for user in managers:
        _unread_changed(user)


@transaction.atomic
def mark_all_read(actor: User) -> int:
    count = notifications_of(actor).filter(read_at__isnull=True).update(read_at=timezone.now())
    if count:
        _unread_changed(actor)
    return count


@transaction.atomic
def update_settings(
    actor: User,
    *,
    muted_kinds: list[str] | None = None,
    email_kinds: list[str] | None = None,
    email_mode: str | None = None,
    work_start: datetime.time | None = None,
    work_end: datetime.time | None = None,
    work_days: list[int] | None = None,
) -> NotificationSettings:
    prefs = settings_of(actor)
    errors: dict[str, str] = {}
    for field, value in (("muted_kinds", muted_kinds), ("email_kinds", email_kinds)):
        if value is not None:
            if not set(value) <= set(Kind.values):
                errors[field] = _("Choose among: %(kinds)s.") % {"kinds": ", ".join(Kind.values)}
            setattr(prefs, field, sorted(set(value)))
    if email_mode is not None:
        if email_mode not in EmailMode.values:
            errors["email_mode"] = _("Choose off, immediate, daily or weekly.")
        prefs.email_mode = email_mode
    if work_days is not None:
        if not set(work_days) <= set(range(7)):
            errors["work_days"] = _("Days go from 0 (Monday) to 6 (Sunday).")
        prefs.work_days = sorted(set(work_days))
    prefs.work_start = work_start or prefs.work_start
    prefs.work_end = work_end or prefs.work_end
    if prefs.work_start >= prefs.work_end:
        errors["work_end"] = _("The working day must end after it starts.")
    if errors:
        raise Invalid(fields=errors)
    prefs.saved_at = timezone.now()
    prefs.save()
    return prefs


@transaction.atomic
def set_space_muted(actor: User, *, space: Space, muted: bool) -> None:
    if muted:
        SpaceMute.objects.get_or_create(user=actor, space=space)
    else:
        SpaceMute.objects.filter(user=actor, space=space).delete()


@transaction.atomic
def finish_catch_up(actor: User, *, post_ids: list[int], until: datetime.datetime | None = None) -> None:
    """The catch-up page was read: its posts count as seen, and the next catch-up starts from when
    the page was put together (`until`), so that nothing arriving meanwhile is skipped."""
    post_ids = check_ids(post_ids, field="post_ids")
    check_date(until, field="until")
    batch = settings.ALVEOLE_READS_PER_BATCH
    for start in range(0, len(post_ids), batch):
        record_reads(actor, post_ids=post_ids[start : start + batch])
    prefs = settings_of(actor)
    now = timezone.now()
    prefs.caught_up_at = min(until, now) if until is not None else now
    prefs.save()
    notifications_of(actor).filter(read_at__isnull=True, post_id__in=post_ids).update(read_at=timezone.now())
    _unread_changed(actor)


@transaction.atomic
def dismiss_first_steps(actor: User) -> None:
    """Hide the home page's first steps for good. A preference of one's own, kept with the notification
    settings (shell.first_steps reads it): not audited."""
    NotificationSettings.objects.update_or_create(user=actor, defaults={"first_steps_dismissed_at": timezone.now()})


# --- Web Push ------------------------------------------------------------------------------------


def _key_bytes(value: str, field: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise Invalid(fields={field: _("This is not a base64url key.")}) from None


@transaction.atomic
def subscribe_push(actor: User, *, endpoint: str, p256dh: str, auth: str, device: str = "") -> PushSubscription:
    """Turn push on for one device (the browser's PushSubscription); subscribing again updates its keys.
    A personal preference of the person's own, like the other notification settings: not audited."""
    endpoint = push.check_endpoint(endpoint)
    errors: dict[str, str] = {}
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _key_bytes(p256dh, "p256dh"))
    except (ValueError, Invalid):
        errors["p256dh"] = _("The device's key (p256dh) is not a P-256 public key.")
    try:
        if len(_key_bytes(auth, "auth")) != 16:
            errors["auth"] = _("The device's authentication secret (auth) must be 16 bytes.")
    except Invalid:
        errors["auth"] = _("The device's authentication secret (auth) must be 16 bytes.")
    if errors:
        raise Invalid(fields=errors)
    devices = PushSubscription.objects.filter(user=actor).exclude(endpoint=endpoint)
    if devices.count() >= MAX_PUSH_DEVICES:
        raise Invalid(
            _("Push is on for %(count)d devices already: stop one on the notification settings page first.")
            % {"count": MAX_PUSH_DEVICES}
        )
    subscription, _created = PushSubscription.objects.update_or_create(
        user=actor,
        endpoint=endpoint,
        defaults={"organisation_id": actor.org_id, "p256dh": p256dh, "auth": auth, "device": device.strip()[:100]},
    )
    return subscription


@transaction.atomic
def unsubscribe_push(actor: User, *, endpoint: str) -> None:
    """Turn push off for one of the person's devices (found by its endpoint, among theirs only). Idempotent:
    a browser that already unsubscribed, or tells us twice, gets the same answer."""
    PushSubscription.objects.filter(user=actor, endpoint=(endpoint or "").strip()).delete()


@transaction.atomic
def remove_push_device(actor: User, *, subscription_id: int) -> None:
    """The settings page's "Stop" beside a device (which may be another browser than this one)."""
    deleted, _rows = PushSubscription.objects.filter(user=actor, pk=subscription_id).delete()
    if not deleted:
        raise NotFound()


@transaction.atomic
def update_push_kinds(actor: User, *, kinds: list[str]) -> PushSettings:
    if not set(kinds) <= set(PushKind.values):
        raise Invalid(fields={"kinds": _("Choose among: %(kinds)s.") % {"kinds": ", ".join(PushKind.values)}})
    prefs, _created = PushSettings.objects.update_or_create(user=actor, defaults={"kinds": sorted(set(kinds))})
    return prefs
