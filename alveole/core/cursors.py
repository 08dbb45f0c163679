"""Keyset (cursor) pagination: stable under concurrent inserts, one query per page.

A cursor is the last row's ordering values, signed with the SECRET_KEY (and the ordering
itself, so a cursor only works for the kind of list that made it). A forged or altered
cursor is refused before it reaches a query, and the values of a genuine one are checked
once more against the type of each ordering field, so nothing a client sends can turn
into a malformed filter (a 500) whatever happens to the key.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.core import signing
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from .bounds import MAX_ID
from .errors import Invalid

M = TypeVar("M", bound=Model)

# Longer than any cursor this module makes; anything longer is refused before any decoding.
MAX_CURSOR_LENGTH = 1000


def _invalid() -> Invalid:
    return Invalid(fields={"cursor": _("This page cursor is not valid; start again from the first page.")})


def _signer(order: Sequence[str]) -> signing.Signer:
    return signing.Signer(salt="alveole.cursor:" + ",".join(order))


# --- one check per kind of ordering field -----------------------------------------------------


def _as_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not -MAX_ID - 1 <= value <= MAX_ID:
        raise _invalid()
    return value


def _as_text(value: Any) -> str:
    if not isinstance(value, str) or len(value) > MAX_CURSOR_LENGTH or "\x00" in value:
        raise _invalid()
    return value


def _as_datetime(value: Any) -> datetime.datetime:
    if not isinstance(value, str) or len(value) > 40:
        raise _invalid()
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise _invalid() from None
    if parsed.tzinfo is None:
        raise _invalid()
    return parsed


def _as_date(value: Any) -> datetime.date:
    if not isinstance(value, str) or len(value) > 10:
        raise _invalid()
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise _invalid() from None


def _as_float(value: Any) -> float:
    # A rank (search): JSON keeps a float exactly; NaN and infinities are not ranks.
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _invalid()
    return float(value)


def _encoder(field: models.Field) -> Callable[[Any], Any]:
    if isinstance(field, models.DateTimeField):
        return lambda v: v.isoformat()
    if isinstance(field, models.DateField):
        return lambda v: v.isoformat()
    return lambda v: v


def _decoder(field: models.Field) -> Callable[[Any], Any]:
    # DateTimeField before DateField: it is a subclass.
    if isinstance(field, models.DateTimeField):
        return _as_datetime
    if isinstance(field, models.DateField):
        return _as_date
    if isinstance(field, models.IntegerField | models.AutoField):
        return _as_int
    if isinstance(field, models.FloatField):
        return _as_float
    if isinstance(field, models.CharField | models.TextField | models.EmailField | models.SlugField):
        return _as_text
    raise TypeError(f"Cursor pagination does not support ordering by a {type(field).__name__}.")


def _field_of(qs: QuerySet[Any], name: str) -> models.Field:
    annotation = qs.query.annotations.get(name)
    if annotation is not None:
        return annotation.output_field
    try:
        field = qs.model._meta.get_field(name)
    except FieldDoesNotExist:
        raise TypeError(f"Cursor pagination cannot order {qs.model.__name__} by {name!r}.") from None
    assert isinstance(field, models.Field)
    return field


# --- encoding and decoding -------------------------------------------------------------------


def encode_cursor(qs: QuerySet[Any], order: Sequence[str], row: Model) -> str:
    names = [f.lstrip("-") for f in order]
    values = [_encoder(_field_of(qs, n))(getattr(row, n)) for n in names]
    return _signer(order).sign_object(values)


def decode_cursor(qs: QuerySet[Any], order: Sequence[str], cursor: str) -> list[Any]:
    """The ordering values a cursor holds, each of its field's type, or Invalid."""
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise _invalid()
    try:
        values = _signer(order).unsign_object(cursor)
    except (signing.BadSignature, ValueError, TypeError, UnicodeError):
        raise _invalid() from None
    if not isinstance(values, list) or len(values) != len(order):
        raise _invalid()
    return [_decoder(_field_of(qs, f.lstrip("-")))(v) for f, v in zip(order, values, strict=True)]


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
        qs = qs.filter(_after(order, decode_cursor(qs, order, cursor)))
    rows = list(qs[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_cursor(qs, order, rows[-1])
