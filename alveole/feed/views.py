from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from alveole.accounts.access import viewer_of

from . import selectors


@login_required
def topic(request: HttpRequest, name: str) -> HttpResponse:
    viewer = viewer_of(request)
    found = selectors.topic_named(viewer, name)
    items, next_cursor = (
        selectors.feed_page(viewer, selectors.topic_posts(viewer, found), cursor=request.GET.get("cursor"), limit=30)
        if found
        else ([], None)
    )
    return render(
        request, "feed/topic.html", {"name": name, "topic": found, "items": items, "next_cursor": next_cursor}
    )
