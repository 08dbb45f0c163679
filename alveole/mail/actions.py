"""Every write of the email bridge: posting and commenting by email, space addresses, unsubscribing,
and the record of what was emailed."""

from __future__ import annotations

import datetime
import io
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alveole.accounts.models import User
from alveole.conversations import actions as conversations
from alveole.conversations.models import Conversation, Message
from alveole.core import audit
from alveole.core.errors import Invalid, PermissionDenied
from alveole.feed import actions as feed
from alveole.feed import files as feed_files
from alveole.feed.models import Attachment, Comment, Post
from alveole.notifications import actions as notifications
from alveole.notifications.models import EmailMode, Notification
from alveole.spaces.access import can_manage, check_space_open_for_changes
from alveole.spaces.models import Space

from .models import ReceivedEmail, SentEmail, SpaceMailSettings


@dataclass(frozen=True)
class EmailFile:
    name: str
    data: bytes


# --- inbound ------------------------------------------------------------------------


def _upload(actor: User, files: Sequence[EmailFile], stored: list[Attachment]) -> list[int]:
    ids = []
    for file in files:
        try:
            attachment = feed.upload_attachment(
                actor, stream=io.BytesIO(file.data), name=file.name, size=len(file.data)
            )
        except Invalid as exc:
            raise Invalid(
                _("The attachment “%(name)s” was refused: %(reason)s") % {"name": file.name, "reason": exc}
            ) from exc
        stored.append(attachment)
        ids.append(attachment.pk)
    return ids


def _forget_files(stored: list[Attachment]) -> None:
    """Files written before a refusal: their rows are rolled back, so remove the bytes too."""
    for attachment in stored:
        feed_files.remove(attachment.storage_name)
        if attachment.thumbnail_name:
            feed_files.remove(attachment.thumbnail_name)


def comment_by_email(
    actor: User, *, post: Post, parent: Comment | None, body: str, files: Sequence[EmailFile], receipt: str
) -> Comment:
    """A reply to a notification email becomes a comment, exactly as if typed in the app."""
    stored: list[Attachment] = []
    try:
        with transaction.atomic():
            ids = _upload(actor, files, stored)
            comment, _report = feed.create_comment(actor, post=post, body=body, parent=parent, attachment_ids=ids)
            ReceivedEmail.objects.create(key=receipt, user=actor, post=post, comment=comment)
    except BaseException:
        _forget_files(stored)
        raise
    return comment


def message_by_email(actor: User, *, conversation: Conversation, body: str, receipt: str) -> Message:
    """A reply to a direct message's email becomes a message in the conversation, as if typed in the app."""
    with transaction.atomic():
        message = conversations.send_message(actor, conversation=conversation, body=body)
        ReceivedEmail.objects.create(key=receipt, user=actor)
    return message


def post_by_email(actor: User, *, space: Space, body: str, files: Sequence[EmailFile], receipt: str) -> Post:
    """An email to a space's address becomes a post in the space (feed rules apply: membership, length, files)."""
    stored: list[Attachment] = []
    try:
        with transaction.atomic():
            ids = _upload(actor, files, stored)
            post, _report = feed.create_post(actor, space=space, body=body, attachment_ids=ids)
            ReceivedEmail.objects.create(key=receipt, user=actor, post=post)
    except BaseException:
        _forget_files(stored)
        raise
    return post


def unsubscribe(actor: User) -> None:
    """The one-click unsubscribe: no more notification emails or digests (the in-app list stays)."""
    notifications.update_settings(actor, email_mode=EmailMode.OFF)


# --- space settings --------------------------------------------------------------------


def _require_manager(actor: User, space: Space) -> SpaceMailSettings:
    if not can_manage(actor, space):
        raise PermissionDenied(_("Only the space's managers can change its email settings."))
    settings_row, _created = SpaceMailSettings.objects.select_for_update().get_or_create(space=space)
    return settings_row


@transaction.atomic
def enable_space_address(actor: User, *, space: Space) -> SpaceMailSettings:
    """Turn the space's address on, or give it a new one (the previous address stops working).

    It works once the server receives email (ALVEOLE_MAIL_DOMAIN); until then the address is not shown."""
    check_space_open_for_changes(space)
    row = _require_manager(actor, space)
    row.address_key = secrets.token_hex(10)  # 80 bits, lower-case: survives any mail system
    row.save()
    audit.record("space.email_address_on", actor=actor, target=space, label=space.name)
    return row


@transaction.atomic
def disable_space_address(actor: User, *, space: Space) -> SpaceMailSettings:
    row = _require_manager(actor, space)
    if row.address_key:
        row.address_key = None
        row.save()
        audit.record("space.email_address_off", actor=actor, target=space, label=space.name)
    return row


@transaction.atomic
def set_email_content(actor: User, *, space: Space, include_content: bool) -> SpaceMailSettings:
    """Whether emails about this space's posts may carry their text (off: who did what, and a link)."""
    row = _require_manager(actor, space)
    if row.include_content != include_content:
        row.include_content = include_content
        row.save()
        audit.record("space.email_content", actor=actor, target=space, label=space.name, include=include_content)
    return row


# --- outbound bookkeeping ------------------------------------------------------------------


def claim_for_email(notification: Notification, *, now: datetime.datetime) -> bool:
    """Mark a line as emailed unless another worker did a moment ago (True: this worker sends it)."""
    claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True, read_at__isnull=True).update(
        emailed_at=now
    )
    return bool(claimed)


def release_claim(notification_ids: Sequence[int]) -> None:
    """Sending failed: the lines go back to waiting for the next run."""
    Notification.objects.filter(pk__in=notification_ids).update(emailed_at=None)


def mark_emailed(notification_ids: Sequence[int], *, now: datetime.datetime) -> None:
    Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).update(emailed_at=now)


def record_sent(
    user: User | None, *, kind: str, notification: Notification | None = None, at: datetime.datetime | None = None
) -> SentEmail:
    return SentEmail.objects.create(user=user, kind=kind, notification=notification, sent_at=at or timezone.now())
