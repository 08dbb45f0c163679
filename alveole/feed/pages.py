"""Feed pages as other pages show them (home, a space, a person): one page of cards with what the cards
need, the "Load more" address, and the fragment answer of infinite scroll."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from alveole.accounts.models import User
from alveole.spaces import labels
from alveole.spaces.access import managed_among
from alveole.spaces.models import Space
from alveole.spaces.selectors import my_open_spaces

from . import cardcache, selectors
from .models import Post


def wants_fragment(request: HttpRequest) -> bool:
    return request.headers.get("X-Alveole-Fragment") == "1" or request.GET.get("fragment") == "1"


def page_path(request: HttpRequest) -> str:
    """This page's address without the paging parameters: where forms on it come back to."""
    query = request.GET.copy()
    for key in ("cursor", "fragment"):
        query.pop(key, None)
    encoded = query.urlencode()
    return request.path + ("?" + encoded if encoded else "")


def postable_spaces(viewer: User) -> list[Space]:
    """The spaces the viewer may post in (member, not archived), starred first."""
    return list(my_open_spaces(viewer)[:100])


def managed_ids(viewer: User, items: list[selectors.FeedItem]) -> set[int | None]:
    """Spaces (of these posts) the viewer manages, by spaces.access's rule, in one query; None stands
    for profile posts, which organisation admins moderate."""
    managed: set[int | None] = set(managed_among(viewer, {i.post.space for i in items if i.post.space is not None}))
    if viewer.is_org_admin and not viewer.is_guest:
        managed.add(None)
    return managed


def card_context(viewer: User, items: list[selectors.FeedItem]) -> dict[str, Any]:
    return {"managed": managed_ids(viewer, items)}


def feed_context(request: HttpRequest, viewer: User, qs: QuerySet[Post], *, limit: int | None = None) -> dict[str, Any]:
    """One page of a feed, with what the cards need and the address of the next page."""
    cursor = request.GET.get("cursor") or None
    items, next_cursor = selectors.feed_page(viewer, qs, cursor=cursor, limit=limit or settings.ALVEOLE_FEED_PAGE_SIZE)
    more_url = ""
    if next_cursor:
        query = request.GET.copy()
        query.pop("fragment", None)
        query["cursor"] = next_cursor
        more_url = request.path + "?" + query.urlencode()
    return {
        "items": items,
        "more_url": more_url,
        "is_first_page": cursor is None,
        "here": page_path(request),
        "card_parts": cardcache.for_page(items),
        **card_context(viewer, items),
    }


def keep_offline(
    response: HttpResponse, items: list[selectors.FeedItem], *, space: Space | None = None
) -> HttpResponse:
    """Let the service worker keep this feed page for reading offline (shell/installable.py) — unless it
    shows confidential content: that is never left on a device."""
    shown = [i.post for i in items] + [i.original for i in items if i.original is not None]
    if not labels.is_restricted(space) and not any(labels.is_restricted(post) for post in shown):
        response["X-Alveole-Offline"] = "keep"
    return response


def fragment_or_page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """`?fragment=1` answers only the cards and the next "Load more" link (infinite scroll)."""
    if wants_fragment(request):
        return render(request, "feed/_page.html", context)
    return render(request, template, context)
