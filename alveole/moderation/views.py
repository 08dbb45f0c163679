from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alveole.accounts.access import viewer_of
from alveole.core.errors import NotFound
from alveole.feed.access import get_comment_for, get_post_for
from alveole.feed.models import Comment, Post
from alveole.spaces.access import get_space_for
from alveole.web.shortcuts import act, safe_next, submit, web_view

from . import actions, selectors
from .access import get_report_for, moderates_anything
from .forms import ReportForm


def _report_page(request: HttpRequest, *, post: Post | None = None, comment: Comment | None = None) -> HttpResponse:
    viewer = viewer_of(request)
    target = post if post is not None else comment
    assert target is not None
    back = reverse("post", args=[post.pk if post is not None else comment.post_id])  # type: ignore[union-attr]
    next_url = safe_next(request, back)
    form = ReportForm(request.POST if request.method == "POST" else None)

    def page(status: int) -> HttpResponse:
        space = post.space if post is not None else comment.post.space  # type: ignore[union-attr]
        context = {"form": form, "post": post, "comment": comment, "item": target, "space": space, "next": next_url}
        return render(request, "moderation/report.html", context, status=status)

    return submit(
        request,
        form,
        lambda data: actions.report_item(viewer, post=post, comment=comment, reason=data["reason"], note=data["note"]),
        done=_("Thank you. The moderators will look at it, and you will be told what they decide."),
        then=lambda _report: next_url,
        page=page,
    )


@web_view
def report_post(request: HttpRequest, post_id: int) -> HttpResponse:
    post = get_post_for(viewer_of(request), post_id)
    return _report_page(request, post=post)


@web_view
def report_comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = get_comment_for(viewer_of(request), comment_id)
    return _report_page(request, comment=comment)


@web_view
def queue(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    if not moderates_anything(viewer):
        raise NotFound()
    space_id = request.GET.get("space")
    space = get_space_for(viewer, space_id) if space_id else None
    items = selectors.queue(viewer, space=space)
    here = request.get_full_path()
    return render(request, "moderation/queue.html", {"items": items, "space": space, "here": here})


_DONE = {
    "dismiss": (actions.dismiss_report, lambda: _("Report dismissed: the item stays as it was.")),
    "hide": (actions.hide_reported, lambda: _("Hidden. Its author and the moderators still see it, marked.")),
    "unhide": (actions.unhide_reported, lambda: _("Shown again to everyone who can read it.")),
    "delete": (actions.delete_reported, lambda: _("Deleted.")),
}


@require_POST
@web_view
def settle(request: HttpRequest, report_id: int, step: str) -> HttpResponse:
    if step not in _DONE:
        raise NotFound()
    viewer = viewer_of(request)
    report = get_report_for(viewer, report_id)
    action, done = _DONE[step]
    return act(request, lambda: action(viewer, report=report), done=done(), then=reverse("moderation_queue"))
