"""Cursor-paged lists of the API: the query parameters and the `{items, next_cursor}` page.

Every paged endpoint answers the same shape, so a client pages through any list the same
way: send back `next_cursor` as `cursor` until it is null. The keyset pagination itself
is `core.cursors.paginate`; this module only ties it to the API's parameters and page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from django.conf import settings
from django.db.models import QuerySet
from ninja import Schema
from pydantic import Field

from alveole.core.cursors import paginate

T_co = TypeVar("T_co", covariant=True)


# The query parameters of a paged list with nothing else to filter on. (No docstring: it
# would become the schema's description in the OpenAPI document.)
class PageQuery(Schema):
    cursor: str | None = None
    limit: int = Field(settings.ALVEOLE_API_PAGE_SIZE, ge=1, le=200)


class CursorQuery(Protocol):
    """What a page needs from an endpoint's query: `PageQuery`, or a filter with the same two fields."""

    @property
    def cursor(self) -> str | None: ...

    @property
    def limit(self) -> int: ...


class PageFetcher(Protocol[T_co]):
    """A list that pages itself (the feed's selector): one page from a cursor, and the next cursor."""

    def __call__(self, *, cursor: str | None, limit: int) -> tuple[Sequence[T_co], str | None]: ...


def cursor_page(
    query: CursorQuery,
    rows: QuerySet[Any] | PageFetcher[Any],
    *,
    order: Sequence[str] = (),
    out: Callable[[Any], Any] | None = None,
) -> dict[str, Any]:
    """One page of `rows` as the API answers it: `{"items": [...], "next_cursor": ...}`.

    `rows` is a queryset, paged in `order` (which must end with a unique field), or a
    fetcher for lists whose selector pages them itself. `out` turns each row into its
    output; without it the rows are given to the response schema as they are.
    """
    items: Sequence[Any]
    if isinstance(rows, QuerySet):
        if not order:
            raise TypeError("cursor_page needs an order to page a queryset.")
        items, next_cursor = paginate(rows, order=order, cursor=query.cursor, limit=query.limit)
    else:
        items, next_cursor = rows(cursor=query.cursor, limit=query.limit)
    return {"items": [out(item) for item in items] if out is not None else list(items), "next_cursor": next_cursor}
