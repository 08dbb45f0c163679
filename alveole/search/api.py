from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from alveole.accounts.access import viewer_of
from alveole.accounts.models import User
from alveole.core.errors import Invalid
from alveole.spaces.access import get_space_for
from alveole.spaces.people import get_person_for

from . import selectors
from .schemas import SearchPageOut, SearchQuery, SuggestionOut, SuggestQuery

router = Router(tags=["search"])


def filters_of(viewer: User, query: SearchQuery) -> selectors.Filters:
    if query.since and query.until and query.since > query.until:
        raise Invalid(fields={"until": _("The end date comes before the start date.")})
    return selectors.Filters(
        space=get_space_for(viewer, query.space_id) if query.space_id is not None else None,
        author=get_person_for(viewer, query.author_id) if query.author_id is not None else None,
        kind=query.type or "",
        since=query.since,
        until=query.until,
        has_file=query.has_file,
        confidential=query.confidential,
    )


@router.get("/search", response=SearchPageOut, summary="What I can see that matches, best first")
def search(request: HttpRequest, query: Query[SearchQuery]) -> dict:
    viewer = viewer_of(request)
    filters = filters_of(viewer, query)
    if not selectors.is_searchable(query.q, filters):
        raise Invalid(fields={"q": _("Type at least two characters, or choose a filter.")})
    hits, next_cursor = selectors.search(viewer, query.q, filters, cursor=query.cursor, limit=query.limit)
    return {
        "items": [
            {
                "type": h.entry.kind,
                "id": h.entry.object_id,
                "url": h.entry.link,
                "title": h.title,
                "excerpt": h.excerpt,
                "created_at": h.entry.created_at,
                "space": h.entry.space,
                "author": h.entry.author,
            }
            for h in hits
        ],
        "next_cursor": next_cursor,
    }


@router.get("/search/suggest", response=list[SuggestionOut], summary="People, spaces and topics as I type")
def suggest(request: HttpRequest, query: Query[SuggestQuery]) -> list[dict]:
    viewer = viewer_of(request)
    return [
        {"type": s.kind, "label": s.label, "detail": s.detail, "url": s.link}
        for s in selectors.suggest(viewer, query.q)
    ]
