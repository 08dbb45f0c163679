from __future__ import annotations

from collections import Counter
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status

from alveole.accounts.access import viewer_of
from alveole.accounts.models import User
from alveole.api.pagination import cursor_page
from alveole.core.bounds import Id
from alveole.core.errors import NotFound
from alveole.feed.access import get_comment_for, get_post_for
from alveole.feed.models import Comment, Post, Review
from alveole.spaces.access import get_space_for
from alveole.spaces.models import Space

from . import actions, selectors
from .access import (
    get_held_comment_for,
    get_held_post_for,
    get_moderated_space_for,
    get_report_for,
    moderated_comments,
    moderated_posts,
    moderates_anything,
)
from .models import Report, Reporter
from .schemas import (
    HeldPage,
    HeldQuery,
    MyReportOut,
    RefuseIn,
    ReportIn,
    ReportPage,
    ReportQuery,
    ReportStateOut,
    ReviewStateOut,
    SpaceModerationIn,
    SpaceModerationOut,
)

router = Router(tags=["moderation"])


def _person(user: User) -> dict:
    return {"id": user.pk, "full_name": user.full_name, "handle": user.handle}


def _mine(report: Report, viewer: User) -> dict:
    mine = Reporter.objects.get(report=report, user=viewer)
    return {"post_id": report.post_id, "comment_id": report.comment_id, "reason": mine.reason, "note": mine.note}


def report_out(row: selectors.QueueItem) -> dict:
    report, item = row.report, row.item
    space = report.post.space
    return {
        "id": report.pk,
        "status": report.status,
        "post_id": report.post_id,
        "comment_id": report.comment_id,
        "space": {"id": space.pk, "name": space.name} if space is not None else None,
        "author": _person(item.author),
        "body": item.body,
        "body_html": item.body_html,
        "count": row.count,
        "reasons": dict(Counter(r.reason for r in row.reporters)),
        "reporters": [
            {"person": _person(r.user), "reason": r.reason, "note": r.note, "created_at": r.created_at}
            for r in row.reporters
        ],
        "updated_at": report.updated_at,
    }


@router.post("/posts/{post_id}/report", response={201: MyReportOut}, summary="Report a post to its moderators")
def report_post(request: HttpRequest, post_id: Id, payload: ReportIn) -> Status:
    viewer = viewer_of(request)
    post = get_post_for(viewer, post_id)
    report = actions.report_item(viewer, post=post, reason=payload.reason, note=payload.note)
    return Status(201, _mine(report, viewer))


@router.post("/comments/{comment_id}/report", response={201: MyReportOut}, summary="Report a comment to its moderators")
def report_comment(request: HttpRequest, comment_id: Id, payload: ReportIn) -> Status:
    viewer = viewer_of(request)
    comment = get_comment_for(viewer, comment_id)
    report = actions.report_item(viewer, comment=comment, reason=payload.reason, note=payload.note)
    return Status(201, _mine(report, viewer))


def _report_row(report: Report) -> dict:
    reporters = list(report.reporters.all())
    return report_out(selectors.QueueItem(report=report, reporters=reporters))


@router.get("/reports", response=ReportPage, summary="Reports to review: open ones and hidden items I moderate")
def list_reports(request: HttpRequest, query: Query[ReportQuery]) -> dict:
    viewer = viewer_of(request)
    if not moderates_anything(viewer):
        raise NotFound()
    space = get_space_for(viewer, query.space_id) if query.space_id is not None else None
    rows = (
        selectors.reports(viewer, space=space, settled=query.state == "settled")
        .select_related("post", "post__author", "post__space", "comment", "comment__author")
        .prefetch_related(
            Prefetch("reporters", queryset=Reporter.objects.select_related("user").order_by("-created_at", "-id"))
        )
    )
    return cursor_page(query, rows, order=("-updated_at", "-id"), out=_report_row)


def _settle(request: HttpRequest, report_id: int, action: actions.Settle) -> dict:
    viewer = viewer_of(request)
    report = action(viewer, report=get_report_for(viewer, report_id))
    return {"id": report.pk, "status": report.status}


@router.post("/reports/{report_id}/dismiss", response=ReportStateOut, summary="Dismiss a report: the item stays")
def dismiss(request: HttpRequest, report_id: Id) -> dict:
    return _settle(request, report_id, actions.dismiss_report)


@router.post(
    "/reports/{report_id}/hide",
    response=ReportStateOut,
    summary="Hide the reported item from all but its author and moderators",
)
def hide(request: HttpRequest, report_id: Id) -> dict:
    return _settle(request, report_id, actions.hide_reported)


@router.post("/reports/{report_id}/unhide", response=ReportStateOut, summary="Show a hidden item again")
def unhide(request: HttpRequest, report_id: Id) -> dict:
    return _settle(request, report_id, actions.unhide_reported)


@router.post("/reports/{report_id}/delete", response=ReportStateOut, summary="Delete the reported item")
def delete(request: HttpRequest, report_id: Id) -> dict:
    return _settle(request, report_id, actions.delete_reported)


# --- validation before publication ---------------------------------------------------------------


def _held_out(item: Post | Comment) -> dict:
    post = item.post if isinstance(item, Comment) else item
    space = post.space
    return {
        "kind": "comment" if isinstance(item, Comment) else "post",
        "id": item.pk,
        "post_id": post.pk,
        "comment_id": item.pk if isinstance(item, Comment) else None,
        "space": {"id": space.pk, "name": space.name} if space is not None else None,
        "author": _person(item.author),
        # A refused text is its author's alone (feed.access.shown_unless_hidden); the queue keeps why.
        "body": "" if item.review == Review.REFUSED else item.body,
        "body_html": "" if item.review == Review.REFUSED else item.body_html,
        "created_at": item.created_at,
        "review": item.review,
        "refusal_reason": item.refusal_reason,
    }


@router.get("/moderation/held", response=HeldPage, summary="Posts or comments waiting for my validation (or refused)")
def list_held(request: HttpRequest, query: Query[HeldQuery]) -> dict:
    viewer = viewer_of(request)
    if not moderates_anything(viewer):
        raise NotFound()
    space = get_space_for(viewer, query.space_id) if query.space_id is not None else None
    review = Review.REFUSED if query.state == "refused" else Review.HELD
    rows: QuerySet[Any]
    if query.kind == "comment":
        rows = moderated_comments(viewer).filter(review=review).select_related("author", "post", "post__space")
        rows = rows.filter(post__space=space) if space is not None else rows
    else:
        rows = moderated_posts(viewer).filter(review=review).select_related("author", "space")
        rows = rows.filter(space=space) if space is not None else rows
    return cursor_page(query, rows, order=("created_at", "id"), out=_held_out)


def _state(item: Post | Comment) -> dict:
    comment = item if isinstance(item, Comment) else None
    return {"post_id": comment.post_id if comment else item.pk, "comment_id": item.pk if comment else None,
            "review": item.review}  # fmt: skip


@router.post("/posts/{post_id}/approve", response=ReviewStateOut, summary="Publish a post that waits for validation")
def approve_post(request: HttpRequest, post_id: Id) -> dict:
    viewer = viewer_of(request)
    return _state(actions.approve_item(viewer, post=get_held_post_for(viewer, post_id)))


@router.post("/posts/{post_id}/refuse", response=ReviewStateOut, summary="Refuse a post that waits for validation")
def refuse_post(request: HttpRequest, post_id: Id, payload: RefuseIn) -> dict:
    viewer = viewer_of(request)
    return _state(actions.refuse_item(viewer, post=get_held_post_for(viewer, post_id), reason=payload.reason))


@router.post(
    "/comments/{comment_id}/approve", response=ReviewStateOut, summary="Publish a comment that waits for validation"
)
def approve_comment(request: HttpRequest, comment_id: Id) -> dict:
    viewer = viewer_of(request)
    return _state(actions.approve_item(viewer, comment=get_held_comment_for(viewer, comment_id)))


@router.post(
    "/comments/{comment_id}/refuse", response=ReviewStateOut, summary="Refuse a comment that waits for validation"
)
def refuse_comment(request: HttpRequest, comment_id: Id, payload: RefuseIn) -> dict:
    viewer = viewer_of(request)
    comment = get_held_comment_for(viewer, comment_id)
    return _state(actions.refuse_item(viewer, comment=comment, reason=payload.reason))


def _policy_out(space: Space) -> dict:
    return {
        "space_id": space.pk,
        **{name: getattr(space, name) for name in actions.POLICY_FIELDS},
        "newcomer_days": settings.ALVEOLE_NEWCOMER_DAYS,
    }


@router.get(
    "/spaces/{space_id}/moderation", response=SpaceModerationOut, summary="Who may post and comment, and who is held"
)
def get_space_moderation(request: HttpRequest, space_id: Id) -> dict:
    return _policy_out(get_moderated_space_for(viewer_of(request), space_id))


@router.patch(
    "/spaces/{space_id}/moderation", response=SpaceModerationOut, summary="Change a space's moderation (managers)"
)
def update_space_moderation(request: HttpRequest, space_id: Id, payload: SpaceModerationIn) -> dict:
    viewer = viewer_of(request)
    space = get_moderated_space_for(viewer, space_id)
    wanted = {name: getattr(space, name) for name in actions.POLICY_FIELDS}
    wanted.update(payload.dict(exclude_unset=True, exclude_none=True))
    return _policy_out(actions.set_space_moderation(viewer, space=space, **wanted))
