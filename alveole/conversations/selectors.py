"""Reads for the inbox, a conversation and the navigation's count, already scoped to the viewer."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery

from alveole.accounts.models import User
from alveole.feed import reactions

from .access import conversations_of
from .models import Conversation, Message, MessageAttachment, MessageReaction, Participant


def _unread_messages(viewer: User) -> QuerySet[Message]:
    """Messages of others after the viewer last read, in conversations they are in and have not muted."""
    mine = Participant.objects.filter(user=viewer, left_at__isnull=True, muted=False)
    return Message.objects.filter(
        conversation__participants__in=mine,
        created_at__gt=F("conversation__participants__last_read_at"),
        deleted_at__isnull=True,
    ).exclude(author=viewer)


def unread_count(viewer: User) -> int:
    """The navigation's number: unread messages, muted conversations left out (one query)."""
    if not viewer.is_authenticated or not viewer.is_active:
        return 0
    return _unread_messages(viewer).count()


def inbox(viewer: User) -> QuerySet[Conversation]:
    """The viewer's conversations, newest activity first, each with `unread`, `my_muted` and `last_body`."""
    mine = Participant.objects.filter(conversation=OuterRef("pk"), user=viewer)
    last = Message.objects.filter(conversation=OuterRef("pk"), deleted_at__isnull=True).order_by("-created_at", "-id")
    return (
        conversations_of(viewer)
        .annotate(
            my_last_read=Subquery(mine.values("last_read_at")[:1]),
            my_muted=Subquery(mine.values("muted")[:1]),
            last_body=Subquery(last.values("body")[:1]),
            last_author_id=Subquery(last.values("author_id")[:1]),
        )
        .annotate(
            unread=Count(
                "messages",
                filter=Q(messages__created_at__gt=F("my_last_read"), messages__deleted_at__isnull=True)
                & ~Q(messages__author=viewer),
                distinct=True,
            )
        )
        .order_by("-last_message_at", "-id")
    )


@dataclass
class Row:
    conversation: Conversation
    people: list[User]  # the others, who have not left
    name: str
    unread: int
    muted: bool
    last_body: str
    last_author_id: int | None


def name_of(conversation: Conversation, others: list[User]) -> str:
    if conversation.title:
        return conversation.title
    return ", ".join(p.full_name or p.handle for p in others) or "—"


def people_of(conversations: list[Conversation], viewer: User) -> dict[int, list[User]]:
    """The other participants of each conversation, in one query."""
    rows = (
        Participant.objects.filter(conversation__in=conversations, left_at__isnull=True)
        .exclude(user=viewer)
        .select_related("user")
        .order_by("joined_at", "id")
    )
    found: dict[int, list[User]] = {c.pk: [] for c in conversations}
    for row in rows:
        found[row.conversation_id].append(row.user)
    return found


def rows_for(viewer: User, conversations: list[Conversation]) -> list[Row]:
    people = people_of(conversations, viewer)
    return [
        Row(
            c,
            people[c.pk],
            name_of(c, people[c.pk]),
            unread=getattr(c, "unread", 0),
            muted=bool(getattr(c, "my_muted", False)),
            last_body=getattr(c, "last_body", None) or "",
            last_author_id=getattr(c, "last_author_id", None),
        )
        for c in conversations
    ]


def messages_of(conversation: Conversation) -> QuerySet[Message]:
    return Message.objects.filter(conversation=conversation).select_related("author")


@dataclass
class ReactionCount:
    emoji: str
    n: int
    label: str
    mine: bool


def with_extras(messages: Sequence[Message], viewer: User) -> Sequence[Message]:
    """Give each message `reaction_counts` (feed.reactions' order, with the viewer's own marked), `my_reaction`
    and `files`: two queries for the whole page."""
    ids = [m.pk for m in messages]
    counts: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    mine: dict[int, str] = {}
    for message_id, user_id, kind in MessageReaction.objects.filter(message_id__in=ids).values_list(
        "message_id", "user_id", "kind"
    ):
        counts[message_id][kind] = counts[message_id].get(kind, 0) + 1
        if user_id == viewer.pk:
            mine[message_id] = kind
    attached: dict[int, list[MessageAttachment]] = {pk: [] for pk in ids}
    for attachment in MessageAttachment.objects.filter(message_id__in=ids).order_by("id"):
        attached[attachment.message_id or 0].append(attachment)
    for m in messages:
        m.my_reaction = mine.get(m.pk)  # type: ignore[attr-defined]
        m.reaction_counts = [  # type: ignore[attr-defined]
            ReactionCount(e, n, reactions.label(e), e == mine.get(m.pk)) for e, n in reactions.ordered(counts[m.pk])
        ]
        m.files = attached[m.pk]  # type: ignore[attr-defined]
    return messages


def due_for_email(quiet_since: datetime.datetime) -> QuerySet[Participant]:
    """Participants with messages of others they have neither read nor been emailed about, the newest of
    which is older than `quiet_since` (a conversation going on is emailed once it pauses). Muted
    conversations, people who left and deactivated accounts are never emailed."""
    others = Message.objects.filter(conversation=OuterRef("conversation"), deleted_at__isnull=True).exclude(
        author=OuterRef("user")
    )
    newest = others.order_by("-created_at").values("created_at")[:1]
    return (
        Participant.objects.filter(left_at__isnull=True, muted=False, user__is_active=True)
        .annotate(newest=Subquery(newest))
        .filter(newest__isnull=False, newest__gt=F("last_read_at"), newest__lte=quiet_since)
        .filter(Q(emailed_until__isnull=True) | Q(newest__gt=F("emailed_until")))
        .select_related("user", "conversation")
        .order_by("user_id", "conversation_id")
    )


def unemailed_messages(participant: Participant, limit: int = 10) -> list[Message]:
    """The messages an email tells `participant` about: others', after what they read or were told."""
    since = max(filter(None, [participant.last_read_at, participant.emailed_until]))
    rows = (
        Message.objects.filter(
            conversation_id=participant.conversation_id, deleted_at__isnull=True, created_at__gt=since
        )
        .exclude(author_id=participant.user_id)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("-created_at", "-id")[:limit]
    )
    return list(reversed(rows))
