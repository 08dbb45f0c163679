"""Every change to conversations, their people and their messages.

Messages are not audited (a conversation is confidential: no log beside it ties words to people); starting
one is, without its text. Each change is published to every participant on their own (Audience.USER),
so nobody else's socket ever receives a word of it.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import IO

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alveole.accounts.models import User
from alveole.core import audit, markdown
from alveole.core.bounds import is_id
from alveole.core.errors import Invalid, NotFound, PermissionDenied
from alveole.feed import files, policies, reactions
from alveole.live.models import Audience
from alveole.live.publish import publish, publish_ephemeral

from . import events
from .access import check_together, participation_of, recipients_for
from .models import Conversation, Message, MessageAttachment, MessageReaction, Participant
from .selectors import unread_count


def _direct_key(a: User, b: User) -> str:
    low, high = sorted((a.pk, b.pk))
    return f"{low}:{high}"


def _clean_body(body: str, *, required: bool = True) -> str:
    body = (body or "").strip()
    if not body and required:
        raise Invalid(fields={"body": _("Write something first.")})
    limit = settings.ALVEOLE_MESSAGE_MAX_LENGTH
    if len(body) > limit:
        raise Invalid(
            fields={
                "body": _("This is %(n)d characters long; the limit is %(limit)d.") % {"n": len(body), "limit": limit}
            }
        )
    return body


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if len(title) > 120:
        raise Invalid(fields={"title": _("A title has at most 120 characters.")})
    return title


def _render(body: str, people: Sequence[User]) -> str:
    """Markdown like posts; @handles become links only for people in the conversation (nobody else is told)."""
    if not body:
        return ""  # files only
    parsed = markdown.parse(body)
    by_handle = {p.handle.lower(): p for p in people if p.handle}
    return markdown.render(
        parsed,
        mention_url=lambda h: reverse("person", args=[by_handle[h].pk]) if h in by_handle else None,
        mention_name=lambda h: by_handle[h].full_name or None if h in by_handle else None,
        topic_url=lambda _t: None,
    )


def _people_of(conversation: Conversation) -> list[User]:
    ids = Participant.objects.filter(conversation=conversation, left_at__isnull=True).values("user_id")
    return list(User.objects.filter(pk__in=ids))


@transaction.atomic
def start_conversation(
    actor: User, *, people_ids: Sequence[int], title: str = "", body: str = ""
) -> tuple[Conversation, bool]:
    """Start a conversation with `people_ids` (or open the existing one-to-one); True when it is new.

    With `body`, its first message is sent too."""
    others = recipients_for(actor, people_ids)
    title = _clean_title(title)
    if body:
        body = _clean_body(body)
    check_together([actor, *others])
    now = timezone.now()
    direct_key = _direct_key(actor, others[0]) if len(others) == 1 and not title else None
    conversation = None
    if direct_key is not None:
        conversation = Conversation.objects.filter(organisation_id=actor.org_id, direct_key=direct_key).first()
    created = conversation is None
    if conversation is None:
        try:
            with transaction.atomic():
                conversation = Conversation.objects.create(
                    organisation_id=actor.org_id,
                    created_by=actor,
                    created_at=now,
                    last_message_at=now,
                    title=title,
                    direct_key=direct_key,
                )
        except IntegrityError:  # the other person started it at the same moment
            conversation = Conversation.objects.get(organisation_id=actor.org_id, direct_key=direct_key)
            created = False
    if created:
        Participant.objects.bulk_create(
            [Participant(conversation=conversation, user=p, joined_at=now, last_read_at=now) for p in [actor, *others]]
        )
        audit.record("conversation.start", actor=actor, target=conversation, people=len(others) + 1)
    else:
        # Starting it again brings back whoever had left: a one-to-one conversation is never closed for good.
        Participant.objects.filter(conversation=conversation, left_at__isnull=False).update(left_at=None)
    if body:
        send_message(actor, conversation=conversation, body=body)
    return conversation, created


@transaction.atomic
def send_message(
    actor: User,
    *,
    conversation: Conversation,
    body: str,
    parent: Message | None = None,
    attachment_ids: Sequence[int] = (),
    uploads: Sequence[Upload] = (),
) -> Message:
    """Send `body` (Markdown); with files, the text may be empty. `attachment_ids` are the actor's uploads to
    this conversation not sent yet (the API's upload-then-send); `uploads` are files sent with the form."""
    mine = participation_of(actor, conversation)
    ids = list(dict.fromkeys(int(i) for i in attachment_ids))
    _check_file_count(len(ids) + len(uploads))
    body = _clean_body(body, required=not (ids or uploads))
    people = _people_of(conversation)
    if any(p.is_guest for p in people):
        check_together(people)  # a guest may have left the space they shared with someone here
    if parent is not None:
        if parent.conversation_id != conversation.pk or parent.deleted_at is not None:
            raise Invalid(fields={"parent_id": _("You can only reply to a message of the same conversation.")})
        if parent.parent_id is not None:
            parent = parent.parent  # one level deep, like comments
    now = timezone.now()
    message = Message.objects.create(
        conversation=conversation,
        author=actor,
        parent=parent,
        body=body,
        body_html=_render(body, people),
        created_at=now,
    )
    _claim_files(actor, conversation, message, ids)
    stored: list[MessageAttachment] = []
    try:
        for upload in uploads:
            stored.append(
                upload_file(
                    actor,
                    conversation=conversation,
                    stream=upload.stream,
                    name=upload.name,
                    size=upload.size,
                    message=message,
                )
            )
    except Exception:
        _remove_bytes([(a.storage_name, a.thumbnail_name) for a in stored])  # the rollback takes the rows
        raise
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=now)
    conversation.last_message_at = now
    Participant.objects.filter(pk=mine.pk).update(last_read_at=now)
    for person in people:
        _publish_message(person, message, actor)
    return message


def _publish_message(person: User, message: Message, author: User) -> None:
    publish(
        events.MessageSent(
            conversation_id=message.conversation_id,
            message_id=message.pk,
            parent_id=message.parent_id,
            author=events.Author(id=author.pk, full_name=author.full_name, handle=author.handle),
            created_at=message.created_at,
            unread=unread_count(person),
        ),
        organisation_id=person.org_id,
        audience=Audience.USER,
        user_id=person.pk,
    )


def _require_author(actor: User, message: Message) -> None:
    if message.author_id != actor.pk:
        raise PermissionDenied(_("Only its author can change a message."))
    if message.deleted_at is not None:
        raise NotFound()


def _publish_update(message: Message) -> None:
    for person in _people_of(message.conversation):
        publish(
            events.MessageUpdated(
                conversation_id=message.conversation_id,
                message_id=message.pk,
                edited_at=message.edited_at,
                deleted=message.deleted_at is not None,
            ),
            organisation_id=person.org_id,
            audience=Audience.USER,
            user_id=person.pk,
        )


@transaction.atomic
def edit_message(actor: User, *, message: Message, body: str) -> Message:
    participation_of(actor, message.conversation)
    _require_author(actor, message)
    body = _clean_body(body)
    message.body = body
    message.body_html = _render(body, _people_of(message.conversation))
    message.edited_at = timezone.now()
    message.save(update_fields=["body", "body_html", "edited_at"])
    _publish_update(message)
    return message


@transaction.atomic
def delete_message(actor: User, *, message: Message) -> Message:
    participation_of(actor, message.conversation)
    _require_author(actor, message)
    message.deleted_at = timezone.now()
    message.body = message.body_html = ""  # gone for real: nobody may read it again, not even from a backup
    message.save(update_fields=["body", "body_html", "deleted_at"])
    # Its files too: the rows now, the bytes once that is committed (a rollback keeps both).
    stored = list(MessageAttachment.objects.filter(message=message).values_list("storage_name", "thumbnail_name"))
    MessageAttachment.objects.filter(message=message).delete()
    MessageReaction.objects.filter(message=message).delete()
    transaction.on_commit(lambda: _remove_bytes(stored))
    _publish_update(message)
    return message


def _remove_bytes(stored: Sequence[tuple[str, str]]) -> None:
    for storage_name, thumbnail_name in stored:
        files.remove(storage_name)
        files.remove(thumbnail_name)


# --- files ---------------------------------------------------------------------------------------


class Upload:
    """A file as a form or the API received it: its bytes, the name the person gave, its size."""

    def __init__(self, stream: IO[bytes], name: str, size: int) -> None:
        self.stream, self.name, self.size = stream, name, size


def _check_file_count(n: int) -> None:
    limit = settings.ALVEOLE_MESSAGE_FILES_MAX
    if n > limit:
        message = ngettext("Attach at most %(n)d file to a message.", "Attach at most %(n)d files to a message.", limit)
        raise Invalid(fields={"files": message % {"n": limit}})


def upload_file(
    actor: User, *, conversation: Conversation, stream: IO[bytes], name: str, size: int, message: Message | None = None
) -> MessageAttachment:
    """Check and store a file for `conversation` (feed.files, within the organisation's upload policy).

    Without `message`, it waits to be sent: only its uploader sees it until then."""
    participation_of(actor, conversation)
    rules = policies.upload_rules(actor)
    upload = files.accept(
        stream, name, size, organisation_id=actor.org_id, limit=rules.max_bytes, allowed=rules.content_types
    )
    try:
        return MessageAttachment.objects.create(
            conversation=conversation, message=message, uploader=actor, **upload.columns()
        )
    except Exception:
        upload.discard()
        raise


def _claim_files(actor: User, conversation: Conversation, message: Message, ids: list[int]) -> None:
    """Attach the actor's unsent uploads to this conversation, in one statement; any other id fails it all."""
    if not ids:
        return
    claimed = 0
    if all(is_id(i) for i in ids):
        claimed = MessageAttachment.objects.filter(
            pk__in=ids, uploader=actor, conversation=conversation, message__isnull=True
        ).update(message=message)
    if claimed != len(ids):
        raise Invalid(
            fields={"attachment_ids": _("One of the files was not found or is already sent; upload it again.")}
        )


# --- reactions -----------------------------------------------------------------------------------


def reaction_counts(message: Message) -> list[tuple[str, int]]:
    rows = MessageReaction.objects.filter(message=message).values_list("kind").annotate(n=Count("id"))
    return reactions.ordered(dict(rows.values_list("kind", "n")))


@transaction.atomic
def react(actor: User, *, message: Message, kind: str | None, toggle: bool = False) -> MessageReaction | None:
    """Set `actor`'s reaction to `message` (one emoji; feed.reactions.normalize decides), or remove it with
    `kind=None`. With `toggle` (the page's buttons), the same reaction again removes it."""
    participation_of(actor, message.conversation)
    if message.deleted_at is not None:
        raise NotFound()
    normalized = reactions.normalize(kind) if kind is not None else None
    existing = MessageReaction.objects.select_for_update().filter(message=message, user=actor).first()
    if toggle and existing is not None and existing.kind == normalized:
        normalized = None
    current: MessageReaction | None = existing
    if normalized is None:
        if existing is None:
            return None
        existing.delete()
        current = None
    elif existing is not None:
        if existing.kind == normalized:
            return existing
        existing.kind = normalized
        existing.save(update_fields=["kind"])
    else:
        try:
            with transaction.atomic():
                current = MessageReaction.objects.create(message=message, user=actor, kind=normalized)
        except IntegrityError:  # a double click raced us; the first one won
            return MessageReaction.objects.get(message=message, user=actor)
    summary = reaction_counts(message)
    mine = dict(MessageReaction.objects.filter(message=message).values_list("user_id", "kind"))
    for person in _people_of(message.conversation):
        publish(
            events.MessageReacted(
                conversation_id=message.conversation_id,
                message_id=message.pk,
                user_id=actor.pk,
                reactions=dict(summary),
                order=[e for e, _n in summary],
                mine=mine.get(person.pk),
            ),
            organisation_id=person.org_id,
            audience=Audience.USER,
            user_id=person.pk,
        )
    return current


# --- typing --------------------------------------------------------------------------------------

TYPING_EVERY = 3  # seconds: more often than this, "typing" is dropped (pages send it at most this often)


def announce_typing(actor: User, *, conversation: Conversation) -> bool:
    """Tell the other participants, connected now, that `actor` is writing. Not stored: an ephemeral
    message (live.publish_ephemeral), addressed to their ids only. False when dropped as too frequent."""
    participation_of(actor, conversation)
    if not cache.add(f"conversations:typing:{conversation.pk}:{actor.pk}", 1, timeout=TYPING_EVERY):
        return False
    others = list(
        Participant.objects.filter(conversation=conversation, left_at__isnull=True)
        .exclude(user=actor)
        .values_list("user_id", flat=True)
    )
    publish_ephemeral(
        {
            "type": "typing",
            "org": actor.org_id,
            "users": others,
            "conversation_id": conversation.pk,
            "user_id": actor.pk,
            "name": actor.full_name or actor.handle,
        }
    )
    return True


def _unread_changed(actor: User, conversation: Conversation) -> None:
    publish(
        events.UnreadChanged(unread=unread_count(actor), conversation_id=conversation.pk),
        organisation_id=actor.org_id,
        audience=Audience.USER,
        user_id=actor.pk,
    )


@transaction.atomic
def mark_read(actor: User, *, conversation: Conversation, now: datetime.datetime | None = None) -> Participant:
    mine = participation_of(actor, conversation)
    now = now or timezone.now()
    if mine.last_read_at < now:
        mine.last_read_at = now
        mine.save(update_fields=["last_read_at"])
        _unread_changed(actor, conversation)
    return mine


@transaction.atomic
def set_muted(actor: User, *, conversation: Conversation, muted: bool) -> Participant:
    mine = participation_of(actor, conversation)
    if mine.muted != muted:
        mine.muted = muted
        mine.save(update_fields=["muted"])
        _unread_changed(actor, conversation)  # a muted conversation does not count in the navigation
    return mine


@transaction.atomic
def leave_conversation(actor: User, *, conversation: Conversation) -> None:
    mine = participation_of(actor, conversation)
    mine.left_at = timezone.now()
    mine.save(update_fields=["left_at"])
    _unread_changed(actor, conversation)


def claim_for_email(participant: Participant, *, until: datetime.datetime) -> bool:
    """Mark `participant` as emailed up to `until`, once: False when another worker got there first."""
    return bool(
        Participant.objects.filter(pk=participant.pk, emailed_until=participant.emailed_until)
        .exclude(emailed_until__gte=until)
        .update(emailed_until=until)
    )


def release_email_claim(participant: Participant, *, previous: datetime.datetime | None) -> None:
    Participant.objects.filter(pk=participant.pk).update(emailed_until=previous)
