"""Writing events: inside the action's transaction, broadcast after commit.

Each organisation's events are numbered 1, 2, 3… without gaps and in commit
order: on PostgreSQL a transaction-scoped advisory lock per organisation is
taken before the number is read, and held until commit; SQLite already runs one
writer at a time. A rolled-back transaction gives its number back.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from pydantic import BaseModel

from .hubs import get_hub
from .models import Audience, Event

# The first key of PostgreSQL's two-key advisory locks: a constant of ours, so
# that our locks never collide with another application's.
LOCK_NAMESPACE = 0x41_4C_56  # "ALV"


class LiveEvent(BaseModel):
    """Base of every event schema; `type` names it on the wire (e.g. "post.created")."""

    type: str


def _lock(organisation_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, organisation_id])


def _insert_next(row: Event) -> None:
    """Insert `row` with the organisation's next number, in one statement (publishing is on every hot path)."""
    table = connection.ops.quote_name(Event._meta.db_table)
    data = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    # Only our own table name and a constant are formatted in; every value is a parameter.
    columns = "organisation_id, seq, type, audience, space_id, user_id, data, created_at"
    values = f"%s, COALESCE(MAX(seq), 0) + 1, %s, %s, %s, %s, {data}, %s"
    sql = f"INSERT INTO {table} ({columns}) SELECT {values} FROM {table} WHERE organisation_id = %s RETURNING id, seq"  # noqa: S608
    params: list[int | str | datetime | None] = [
        row.organisation_id, row.type, row.audience, row.space_id, row.user_id,
        json.dumps(row.data), row.created_at, row.organisation_id,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row.pk, row.seq = cursor.fetchone()


def encode(event: Event) -> str:
    return json.dumps(wire(event), separators=(",", ":"), default=str)


def wire(event: Event) -> dict[str, Any]:
    """The message every server process receives (it filters before sending to clients)."""
    return {
        "kind": "event",
        "org": event.organisation_id,
        "seq": event.seq,
        "type": event.type,
        "audience": event.audience,
        "space": event.space_id,
        "user": event.user_id,
        "data": event.data,
    }


def publish(
    event: LiveEvent,
    *,
    organisation_id: int,
    audience: Audience,
    space_id: int | None = None,
    user_id: int | None = None,
) -> Event:
    if not connection.in_atomic_block:
        raise RuntimeError("publish() belongs inside the action's transaction")
    if audience == Audience.SPACE and space_id is None:
        raise ValueError("a space event needs space_id")
    if audience == Audience.USER and user_id is None:
        raise ValueError("a personal event needs user_id")
    _lock(organisation_id)
    row = Event(
        organisation_id=organisation_id,
        type=event.type,
        audience=audience,
        space_id=space_id,
        user_id=user_id,
        data=event.model_dump(mode="json", exclude={"type"}),
        created_at=timezone.now(),
    )
    _insert_next(row)
    message = encode(row)
    transaction.on_commit(lambda: get_hub().send(message))
    return row


def publish_ephemeral(message: dict[str, Any]) -> None:
    """Presence and typing: not stored, not numbered, delivered to whoever is connected now."""
    get_hub().send(json.dumps({"kind": "ephemeral", **message}, separators=(",", ":")))
