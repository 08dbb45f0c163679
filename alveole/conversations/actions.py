"""Every change to conversations, their people and their messages.

Messages are not audited (a conversation is confidential: no log beside it ties words to people); starting
one is, without its text. Each change is published to every participant on their own (Audience.USER),
so nobody else's socket ever receives a word of it.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alveole.accounts.models import User
from alveole.core import audit, markdown
from alveole.core.errors import Invalid, NotFound, PermissionDenied
from alveole.live.models import Audience
from alveole.live.publish import publish

from . import events
from .access import check_together, participation_of, recipients_for
from .models import Conversation, Message, Participant
from .selectors import unread_count


def _direct_key(a: User, b: User) -> str:
    low, high = sorted((a.pk, b.pk))
    return f"{low}:{high}"


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
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
def send_message(actor: User, *, conversation: Conversation, body: str, parent: Message | None = None) -> Message:
    mine = participation_of(actor, conversation)
    body = _clean_body(body)
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
    _publish_update(message)
    return message


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
