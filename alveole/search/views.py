from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from alveole.accounts.access import viewer_of
from alveole.web.shortcuts import web_view

from . import selectors
from .forms import SearchForm


def _with_highlight(link: str, text: str) -> str:
    path, hash_, fragment = link.partition("#")
    joiner = "&" if "?" in path else "?"
    return f"{path}{joiner}{urlencode({'highlight': text})}{hash_}{fragment}"


@web_view
def search(request: HttpRequest) -> HttpResponse:
    """The search page: the box, the filters, and one page of results (a cursor for the next)."""
    viewer = viewer_of(request)
    form = SearchForm(request.GET or None, viewer=viewer)
    context: dict[str, Any] = {"form": form, "hits": [], "next_cursor": None, "searched": False, "query": ""}
    status = 200
    if form.is_bound and form.is_valid():
        filters = form.filters()
        context["query"] = text = form.cleaned_data["q"]
        if selectors.is_searchable(text, filters):
            hits, next_cursor = selectors.search(viewer, text, filters, cursor=request.GET.get("cursor") or None)
            context.update(hits=hits, next_cursor=next_cursor, searched=True)
            # The opened result marks the words it was found by (static/alveole/highlight.js).
            context["results"] = [(hit, _with_highlight(hit.entry.link, text)) for hit in hits]
            if next_cursor:
                more = request.GET.copy()
                more["cursor"] = next_cursor
                context["more_url"] = request.path + "?" + more.urlencode()
        else:
            context["too_short"] = bool(text)
    elif form.is_bound:
        status = 400
    return render(request, "search/search.html", context, status=status)
