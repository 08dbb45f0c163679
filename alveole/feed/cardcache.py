"""A cache of the parts of a feed card that are the same for every reader (issue 17).

Which posts a page shows is never decided here: the feed's own scoped query picks them for each request,
as without the cache. What is kept is only the HTML of a card's viewer-independent parts (the byline,
the badges, the text and files, a shared original's content), and the key of each part is a hash of every
column of the rows it is drawn from (the post, its author, space and labels, its attachments) and of the
language. Any change to one of them (an edit, a label, a move, a review, a rename, a file) gives a new key,
so a part can never be served stale and nothing has to be invalidated; old entries expire
(ALVEOLE_PAGE_CACHE_SECONDS, 0 turns the cache off). The parts that depend on the reader (unread mark,
time, menus, reactions, votes, whether a shared original may be read at all) are rendered each time.

One `get_many` per page fetches every part of its cards (one Redis round trip), misses are rendered and set.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.utils.translation import get_language

from .models import Post
from .selectors import FeedItem

PARTS = ("byline", "badges", "content", "shared")
PREFIX = "feedcard:1:"


def enabled() -> bool:
    return settings.ALVEOLE_PAGE_CACHE_SECONDS > 0


def _row(obj: models.Model | None) -> tuple:
    if obj is None:
        return ()
    return (obj._meta.label, *(getattr(obj, f.attname) for f in obj._meta.concrete_fields))


def _post_rows(post: Post, attachments: Iterable[Any]) -> list[tuple]:
    space = post.space if post.space_id is not None else None
    return [
        _row(post),
        _row(post.author),
        _row(space),
        _row(post.label if post.label_id is not None else None),
        _row(space.label if space is not None and space.label_id is not None else None),
        *(_row(a) for a in attachments),
    ]


def key(item: FeedItem, part: str, *, expanded: bool = False) -> str:
    """The cache key of one part of `item`'s card: a hash of what the part is drawn from."""
    memo: dict[tuple, str] = item.__dict__.setdefault("_card_keys", {})  # the page's get_many, then its template
    language = get_language()
    if (part, expanded, language) in memo:
        return memo[part, expanded, language]
    if part == "shared":
        assert item.original is not None
        rows = _post_rows(item.original, item.original_attachments)
    else:
        rows = _post_rows(item.post, item.attachments)
    digest = hashlib.sha256(repr((part, expanded, language, rows)).encode()).hexdigest()
    memo[part, expanded, language] = PREFIX + digest
    return memo[part, expanded, language]


def page_keys(item: FeedItem) -> list[str]:
    keys = [key(item, part) for part in PARTS if part != "shared"]
    if item.original is not None:
        keys.append(key(item, "shared"))
    return keys


class CardParts:
    """The cached parts of one page's cards, fetched at once; the card template's {% cardpart %} reads them."""

    def __init__(self, items: list[FeedItem]) -> None:
        keys = [k for item in items for k in page_keys(item)]
        self.found: dict[str, str] = cache.get_many(keys) if keys else {}
        self.asked = set(keys)

    def get(self, key: str) -> str | None:
        if key in self.asked:
            return self.found.get(key)
        return cache.get(key)  # a card the page did not list up front (a pinned post)

    def put(self, key: str, html: str) -> None:
        self.found[key] = html
        self.asked.add(key)
        cache.set(key, html, settings.ALVEOLE_PAGE_CACHE_SECONDS)


def for_page(items: list[FeedItem]) -> CardParts | None:
    return CardParts(items) if enabled() and items else None
