from __future__ import annotations

import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from alveole.core.bounds import Id
from alveole.feed.schemas import AuthorOut, SpaceRefOut

from .models import Kind

KindName = Literal[
    "post", "comment", "file", "task", "milestone", "poll", "proposal", "decision", "person", "space", "topic"
]
assert set(KindName.__args__) == set(Kind.values)  # type: ignore[attr-defined]


class SearchQuery(Schema):
    q: str = Field("", max_length=200, description="words, and the operators from:@handle, in:space, #topic")
    space_id: Id | None = None
    author_id: Id | None = None
    type: KindName | None = None
    since: datetime.date | None = None
    until: datetime.date | None = None
    has_file: bool = False
    confidential: Literal["", "only", "exclude"] = Field("", description="only or exclude confidential spaces")
    cursor: str | None = None
    limit: int = Field(20, ge=1, le=100)


class SearchHitOut(Schema):
    type: str
    id: int
    url: str
    title: str = Field(description="HTML: the text escaped, the matched words in <mark>")
    excerpt: str = Field(description="HTML: the text escaped, the matched words in <mark>")
    created_at: datetime.datetime
    space: SpaceRefOut | None
    author: AuthorOut | None


class SearchPageOut(Schema):
    items: list[SearchHitOut]
    next_cursor: str | None


class SuggestQuery(Schema):
    q: str = Field(max_length=100, description="at least two characters")


class SuggestionOut(Schema):
    type: str
    label: str
    detail: str
    url: str
