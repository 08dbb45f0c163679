"""The home page: the viewer's feed, their spaces, and the first steps for a new organisation."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from alveole.accounts.access import viewer_of
from alveole.feed import pages as feed_pages
from alveole.feed import selectors as feed_selectors
from alveole.feed.forms import PostForm
from alveole.shell.first_steps import steps_for
from alveole.spaces.selectors import my_open_spaces
from alveole.web.shortcuts import web_view


@login_required
@web_view
def home(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    feed_filter = request.GET.get("filter") or "all"
    context = feed_pages.feed_context(request, viewer, feed_selectors.home_posts(viewer, filter=feed_filter))
    if feed_pages.wants_fragment(request):
        return render(request, "feed/_page.html", context)
    my_spaces = list(my_open_spaces(viewer)[:50])
    steps = steps_for(viewer)
    context.update(
        {
            "my_spaces": my_spaces,
            "steps": steps,
            "steps_left": sum(1 for s in steps if not s.done),
            "feed_filter": feed_filter,
            "form": PostForm(spaces=my_spaces, followers=not viewer.is_guest),
            "can_announce": viewer.is_org_admin or any(getattr(s, "my_role", None) == "manager" for s in my_spaces),
        }
    )
    return feed_pages.keep_offline(render(request, "core/home.html", context), context["items"])
