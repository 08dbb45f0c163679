from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alveole.accounts.access import viewer_of
from alveole.accounts.models import User
from alveole.core.errors import Invalid, NotFound
from alveole.feed.access import get_comment_for, get_post_for
from alveole.feed.models import Comment, Post, Review
from alveole.spaces.access import get_space_for
from alveole.spaces.models import Space
from alveole.web.shortcuts import act, safe_next, submit, web_view

from . import actions, selectors
from .access import (
    get_held_comment_for,
    get_held_post_for,
    get_moderated_space_for,
    get_report_for,
    moderated_spaces,
    moderates_anything,
)
from .forms import QueueFilterForm, RefuseForm, ReportForm, SpaceModerationForm


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


def _filters(request: HttpRequest, viewer: User) -> tuple[QueueFilterForm, Space | None, str, bool]:
    spaces = list(moderated_spaces(viewer).values_list("pk", "name"))
    form = QueueFilterForm(request.GET, spaces=spaces)
    if not form.is_valid():
        raise Invalid(fields={name: " ".join(str(e) for e in errors) for name, errors in form.errors.items()})
    space_id = form.cleaned_data.get("space")
    space = get_space_for(viewer, space_id) if space_id else None
    return form, space, form.cleaned_data.get("kind") or "", form.cleaned_data.get("state") == "settled"


@web_view
def queue(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    if not moderates_anything(viewer):
        raise NotFound()
    form, space, kind, settled = _filters(request, viewer)
    items = selectors.queue(viewer, space=space, settled=settled) if kind != "held" else []
    review = Review.REFUSED if settled else Review.HELD
    held = selectors.held_queue(viewer, space=space, review=review) if kind != "reports" else []
    context = {
        "items": items,
        "held": held,
        "space": space,
        "here": request.get_full_path(),
        "filters": form,
        "kind": kind,
        "settled": settled,
        "refuse_form": RefuseForm(),
    }
    return render(request, "moderation/queue.html", context)


def _held(viewer: User, kind: str, item_id: int) -> dict:
    if kind == "posts":
        return {"post": get_held_post_for(viewer, item_id)}
    if kind == "comments":
        return {"comment": get_held_comment_for(viewer, item_id)}
    raise NotFound()


@require_POST
@web_view
def approve(request: HttpRequest, kind: str, item_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    target = _held(viewer, kind, item_id)
    done = _("Published. Everyone who can read the space sees it now, with its original time.")
    then = safe_next(request, reverse("moderation_queue"))
    return act(request, lambda: actions.approve_item(viewer, **target), done=done, then=then)


@require_POST
@web_view
def refuse(request: HttpRequest, kind: str, item_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    target = _held(viewer, kind, item_id)
    form = RefuseForm(request.POST)
    reason = str(form.data.get("reason", ""))
    done = _("Refused. Its author was told why; nobody else will see it.")
    then = safe_next(request, reverse("moderation_queue"))
    return act(request, lambda: actions.refuse_item(viewer, reason=reason, **target), done=done, then=then)


@web_view
def space_moderation(request: HttpRequest, space_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    space = get_moderated_space_for(viewer, space_id)
    initial = {name: getattr(space, name) for name in actions.POLICY_FIELDS}
    form = SpaceModerationForm(request.POST if request.method == "POST" else None, initial=initial)

    def page(status: int) -> HttpResponse:
        context = {"form": form, "space": space, "newcomer_days": settings.ALVEOLE_NEWCOMER_DAYS}
        return render(request, "moderation/space.html", context, status=status)

    return submit(
        request,
        form,
        lambda data: actions.set_space_moderation(viewer, space=space, **data),
        done=_("Moderation rules saved."),
        then=lambda _space: reverse("space_moderation", args=[space.pk]),
        page=page,
    )


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
    then = safe_next(request, reverse("moderation_queue"))
    return act(request, lambda: action(viewer, report=report), done=done(), then=then)
