"""The audit log's hash chain: what a row's hash covers, in one pure function.

Each row's `hash` is SHA-256 over a canonical JSON document of its content and the `hash` of
the row before it in the same organisation (`prev_hash`; "" for the first row; the rows with no
organisation form one chain of their own). The document is, keys sorted, no spaces, UTF-8:

    {"v": 1, "organisation": id|null, "created_at": "YYYY-MM-DDTHH:MM:SS.ffffff+00:00",
     "actor": id|null, "action": str, "target_type": str, "target_id": id|null,
     "target_label": str, "data": {...}, "ip": str|null, "prev": prev_hash}

The order of a chain is the rows' ids: `record` takes a per-organisation lock before it reads
the latest row, so ids and links agree. Kept free of models so that migrations can import it.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any

VERSION = 1


def canonical_time(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def chain_hash(
    *,
    organisation_id: int | None,
    created_at: datetime.datetime,
    actor_id: int | None,
    action: str,
    target_type: str,
    target_id: int | None,
    target_label: str,
    data: Any,
    ip: str | None,
    prev_hash: str,
) -> str:
    document = {
        "v": VERSION,
        "organisation": organisation_id,
        "created_at": canonical_time(created_at),
        "actor": actor_id,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "target_label": target_label,
        "data": data,
        "ip": ip,
        "prev": prev_hash,
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def row_hash(row: Any, prev_hash: str) -> str:
    """The hash of an AuditEvent (or a migration's historical one) linked to `prev_hash`."""
    return chain_hash(
        organisation_id=row.organisation_id,
        created_at=row.created_at,
        actor_id=row.actor_id,
        action=row.action,
        target_type=row.target_type,
        target_id=row.target_id,
        target_label=row.target_label,
        data=row.data,
        ip=row.ip,
        prev_hash=prev_hash,
    )
