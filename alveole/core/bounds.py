"""The limits every input is held to: ids, dates and text.

One place, used by the API schemas (as constrained types), by actions (for every other
transport: forms, email, commands) and by the middleware, so a value no database column or
date arithmetic can hold is refused with a sentence instead of failing later with a 500
(an id above 2**63 overflows SQLite and PostgreSQL alike; year 9999 overflows the moment a
time zone or a reminder offset is applied; PostgreSQL refuses NUL in text; a lone surrogate
cannot be encoded as UTF-8 at all).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Mapping
from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext as _
from pydantic import AfterValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from .errors import Invalid

# The largest value of a 64-bit signed column: every primary key and counter here.
MAX_ID = 2**63 - 1
# Dates the settings may not go beyond: one day of margin on each side keeps time zone
# shifts (±14 h) and "the day after" arithmetic inside what Python's datetime can hold.
_HARD_MIN = datetime.date(1, 1, 2)
_HARD_MAX = datetime.date(9999, 12, 30)

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
"""A row id in a path, a query or a body: 1 … 2**63-1, so ninja answers 422 beyond."""


# --- ids -------------------------------------------------------------------------------


def is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def check_ids(values: Any, *, field: str) -> list[int]:
    """`values` as a list of ids, or Invalid naming `field` (for transports without a schema)."""
    if not all(is_id(v) for v in values):
        raise Invalid(fields={field: _("Use ids that are whole numbers from 1 to %(max)s.") % {"max": MAX_ID}})
    return list(values)


# --- dates -----------------------------------------------------------------------------


@functools.cache
def _configured_range(low: str, high: str) -> tuple[datetime.date, datetime.date]:
    try:
        first, last = datetime.date.fromisoformat(low), datetime.date.fromisoformat(high)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"ALVEOLE_DATE_MIN and ALVEOLE_DATE_MAX must be dates such as 1900-01-01 ({exc})."
        ) from exc
    if not _HARD_MIN <= first < last <= _HARD_MAX:
        raise ImproperlyConfigured(
            f"ALVEOLE_DATE_MIN must come before ALVEOLE_DATE_MAX, both between {_HARD_MIN} and {_HARD_MAX}."
        )
    return first, last


def date_range() -> tuple[datetime.date, datetime.date]:
    """The first and last day a person may enter (ALVEOLE_DATE_MIN / ALVEOLE_DATE_MAX, inclusive)."""
    low = getattr(settings, "ALVEOLE_DATE_MIN", "1900-01-01")
    high = getattr(settings, "ALVEOLE_DATE_MAX", "2999-12-31")
    return _configured_range(str(low), str(high))


def date_range_message() -> str:
    first, last = date_range()
    return _("Choose a date between %(first)s and %(last)s.") % {"first": first.isoformat(), "last": last.isoformat()}


def date_in_range(value: datetime.date | datetime.datetime) -> bool:
    # The calendar day as written, before any time zone conversion (which is what could overflow).
    day = value.date() if isinstance(value, datetime.datetime) else value
    first, last = date_range()
    return first <= day <= last


def check_date(value: datetime.date | datetime.datetime | None, *, field: str) -> None:
    """Invalid naming `field` when `value` is outside the documented range; None passes."""
    if value is not None and not date_in_range(value):
        raise Invalid(fields={field: date_range_message()})


def check_dates(values: Mapping[str, datetime.date | datetime.datetime | None]) -> None:
    """check_date for several fields at once, all the faulty ones named together."""
    faulty = [name for name, value in values.items() if value is not None and not date_in_range(value)]
    if faulty:
        raise Invalid(fields=dict.fromkeys(faulty, date_range_message()))


def validate_user_date(value: datetime.date | datetime.datetime | None) -> None:
    """The same range as a Django form validator, for forms whose dates reach no action (filters)."""
    if value is not None and not date_in_range(value):
        raise ValidationError(date_range_message(), code="date_range")


def _bounded(value: Any) -> Any:
    if value is not None and not date_in_range(value):
        raise PydanticCustomError("date_range", date_range_message())
    return value


UserDate = Annotated[datetime.date, AfterValidator(_bounded)]
"""A date a person enters; outside ALVEOLE_DATE_MIN … ALVEOLE_DATE_MAX ninja answers 422."""
UserDateTime = Annotated[datetime.datetime, AfterValidator(_bounded)]
"""A date and time a person enters, held to the same range."""


def _wall_time(value: datetime.time) -> datetime.time:
    # A time of day in the person's own time zone; an offset could be neither stored nor compared.
    if value.tzinfo is not None:
        raise PydanticCustomError("time_zone", _("Give a time of day without a time zone, such as 08:30."))
    return value


UserTime = Annotated[
    datetime.time,
    AfterValidator(_wall_time),
    # JSON Schema's "time" requires an offset; this is RFC 3339's partial-time, as it is sent and shown.
    WithJsonSchema(
        {
            "type": "string",
            "format": "partial-time",
            "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
            "examples": ["08:30"],
        }
    ),
]
"""A time of day without a time zone (working hours), HH:MM or HH:MM:SS."""


# --- text ------------------------------------------------------------------------------


def bad_text(value: str) -> bool:
    """NUL (refused by PostgreSQL) or a lone surrogate (not encodable as UTF-8)."""
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def bad_text_message() -> str:
    return _(
        "This text contains a character that cannot be stored (a NUL byte or a lone surrogate); "
        "remove it and try again."
    )


def find_bad_text(data: Any, path: str = "") -> str | None:
    """The dotted path of the first string in `data` (JSON-like: dicts, lists, str) that bad_text refuses."""
    stack: list[tuple[str, Any]] = [(path, data)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            if bad_text(item):
                return where or "request"
        elif isinstance(item, Mapping):
            for key, value in item.items():
                name = f"{where}.{key}" if where else str(key)
                if isinstance(key, str) and bad_text(key):
                    return where or "request"
                stack.append((name, value))
        elif isinstance(item, list | tuple):
            stack.extend((f"{where}.{i}" if where else str(i), v) for i, v in enumerate(item))
    return None


def check_text(data: Any) -> None:
    """Invalid naming the first field whose text cannot be stored."""
    where = find_bad_text(data)
    if where is not None:
        raise Invalid(fields={where: bad_text_message()})
