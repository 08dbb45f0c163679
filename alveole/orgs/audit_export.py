"""The audit log as CSV or JSON: the filtered rows, streamed a batch (one query) at a time."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from typing import Any

from django.db.models import QuerySet

from alveole.core.auditchain import canonical_time
from alveole.core.models import AuditEvent

BATCH = 500
COLUMNS = ("time", "person", "action label", "action", "target", "details")
# A cell a spreadsheet would run as a formula starts with one of these (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def batches(rows: QuerySet[AuditEvent]) -> Iterator[list[AuditEvent]]:
    """Newest first, in keyset batches: one query each however long the log is."""
    rows = rows.select_related("actor").order_by("-id")
    before: int | None = None
    while True:
        batch = list((rows.filter(id__lt=before) if before is not None else rows)[:BATCH])
        if not batch:
            return
        yield batch
        if len(batch) < BATCH:
            return
        before = batch[-1].pk


def entry(event: AuditEvent, labels: Mapping[str, str]) -> dict[str, Any]:
    return {
        "id": event.pk,
        "time": canonical_time(event.created_at),
        "person": event.actor.full_name if event.actor is not None else "",
        "person_id": event.actor_id,
        "action_label": labels.get(event.action, ""),
        "action": event.action,
        "target": event.target_label,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "details": event.data,
        "ip": event.ip,
    }


def _cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_lines(rows: QuerySet[AuditEvent], labels: Mapping[str, str]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    # The byte order mark makes spreadsheets read the file as UTF-8 (accents, names).
    yield "\ufeff"
    writer.writerow(COLUMNS)
    for batch in batches(rows):
        for event in batch:
            e = entry(event, labels)
            details = json.dumps(e["details"], ensure_ascii=False, sort_keys=True) if e["details"] else ""
            writer.writerow(
                [e["time"], _cell(e["person"]), e["action_label"], e["action"], _cell(e["target"]), _cell(details)]
            )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def json_chunks(rows: QuerySet[AuditEvent], labels: Mapping[str, str]) -> Iterator[str]:
    yield "["
    first = True
    for batch in batches(rows):
        parts = [json.dumps(entry(event, labels), ensure_ascii=False) for event in batch]
        yield ("" if first else ",") + "\n" + ",\n".join(parts)
        first = False
    yield "\n]\n"
