from __future__ import annotations

from dataclasses import asdict

from django.http import HttpRequest
from ninja import Query, Router

from alveole.accounts.access import viewer_of
from alveole.spaces.models import Space

from . import selectors
from .access import scope_for
from .charts import excerpt
from .schemas import InsightsOut, InsightsQuery

router = Router(tags=["insights"])


def _space(space: Space | None) -> dict | None:
    return {"id": space.pk, "name": space.name} if space is not None else None


def _top(rows: list[selectors.TopPost]) -> list[dict]:
    return [
        {
            "post_id": row.post.pk,
            "excerpt": excerpt(row.post.body),
            "space": _space(row.post.space),
            "author_id": row.post.author_id,
            "author_name": row.post.author.full_name,
            "created_at": row.post.created_at,
            "count": row.count,
        }
        for row in rows
    ]


@router.get(
    "/insights",
    response=InsightsOut,
    summary="Activity, most read and commented posts, questions, decisions and tasks of the spaces I look after",
    description="Owners and admins: every space they can see and profile posts; space managers: the spaces "
    "they manage. Others are refused (403); a space the viewer cannot see answers 404.",
)
def insights(request: HttpRequest, query: Query[InsightsQuery]) -> dict:
    scope = scope_for(viewer_of(request), query.space_id)
    period = selectors.period_of(query.weeks)
    figures = selectors.figures(scope, period)
    return {
        "period": {"start": period.start, "end": period.end, "weeks": len(period.weeks)},
        "scope": {
            "space": _space(scope.space),
            "profile_posts": scope.profiles,
            "spaces": [_space(space) for space in scope.spaces],
        },
        "activity": [asdict(week) for week in figures.activity],
        "most_read": _top(figures.most_read),
        "most_commented": _top(figures.most_commented),
        "questions": {
            "asked": figures.questions.asked,
            "answered": figures.questions.answered,
            "median_seconds": figures.questions.median_seconds,
            "weeks": [asdict(week) for week in figures.questions.weeks],
        },
        "decisions": [{"month": month, "decisions": count} for month, count in figures.decisions],
        "tasks": [asdict(week) for week in figures.tasks],
    }
