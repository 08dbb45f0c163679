"""Keyset (cursor) pagination: stable under concurrent inserts, one query per page.

A cursor is the opaque, URL-safe encoding of the last row's ordering values.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from .errors import Invalid

M = TypeVar("M", bound=Model)


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps([v.isoformat() if hasattr(v, "isoformat") else v for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        values = None
    if not isinstance(values, list) or len(values) != size:
        raise Invalid(fields={"cursor": _("This page cursor is not valid; start again from the first page.")})
    return values


def _after(order: Sequence[str], values: Sequence[Any]) -> Q:
    """Rows strictly after `values` in `order` (fields prefixed with '-' descend)."""
    condition = Q()
    for i, field in enumerate(order):
        name = field.lstrip("-")
        op = "lt" if field.startswith("-") else "gt"
        step = Q(**{f"{name}__{op}": values[i]})
        for prev_field, prev_value in zip(order[:i], values[:i], strict=True):
            step &= Q(**{prev_field.lstrip("-"): prev_value})
        condition |= step
    return condition


def paginate(qs: QuerySet[M], *, order: Sequence[str], cursor: str | None, limit: int) -> tuple[list[M], str | None]:
    """One page of `qs` in `order` (which must end with a unique field) and the next cursor."""
    qs = qs.order_by(*order)
    if cursor:
        qs = qs.filter(_after(order, decode_cursor(cursor, len(order))))
    rows = list(qs[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    return rows, encode_cursor([getattr(last, f.lstrip("-")) for f in order])
