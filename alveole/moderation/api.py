from __future__ import annotations

from collections import Counter

from django.http import HttpRequest
from ninja import Query, Router, Status

from alveole.accounts.access import viewer_of
from alveole.accounts.models import User
from alveole.core.bounds import Id
from alveole.core.errors import NotFound
from alveole.feed.access import get_comment_for, get_post_for
from alveole.spaces.access import get_space_for

from . import actions, selectors
from .access import get_report_for, moderates_anything
from .models import Report, Reporter
from .schemas import MyReportOut, ReportIn, ReportOut, ReportQuery, ReportStateOut

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


@router.get("/reports", response=list[ReportOut], summary="Reports to review: open ones and hidden items I moderate")
def list_reports(request: HttpRequest, query: Query[ReportQuery]) -> list[dict]:
    viewer = viewer_of(request)
    if not moderates_anything(viewer):
        raise NotFound()
    space = get_space_for(viewer, query.space_id) if query.space_id is not None else None
    return [report_out(row) for row in selectors.queue(viewer, space=space)]


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
