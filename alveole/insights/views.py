"""The insights page, its charts (SVG images of their own) and its CSV files."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from alveole.accounts.access import viewer_of
from alveole.core.errors import Invalid, NotFound
from alveole.web.charts import CONTENT_SECURITY_POLICY
from alveole.web.shortcuts import web_view

from . import charts, selectors
from .access import Scope, scope_for

CHART_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY


def weeks_of(value: str | None) -> int | None:
    """The `weeks` of the address: empty for the default, else a whole number of weeks within bounds."""
    if value is None or value == "":
        return None
    try:
        weeks = int(value)
    except ValueError:
        weeks = 0
    if not 1 <= weeks <= selectors.MAX_WEEKS:
        message = _("Choose a number of weeks between 1 and %(max)s.") % {"max": selectors.MAX_WEEKS}
        raise Invalid(fields={"weeks": message})
    return weeks


def _scope_and_period(request: HttpRequest) -> tuple[Scope, selectors.Period]:
    scope = scope_for(viewer_of(request), request.GET.get("space"))
    return scope, selectors.period_of(weeks_of(request.GET.get("weeks")))


def _query(scope: Scope, request: HttpRequest) -> str:
    """The page's filters, carried to its images and files."""
    query = request.GET.copy()
    for key in list(query):
        if key not in ("space", "weeks"):
            del query[key]
    return query.urlencode()


@web_view
def index(request: HttpRequest) -> HttpResponse:
    scope, period = _scope_and_period(request)
    figures = selectors.figures(scope, period)
    tables = charts.tables_of(figures)
    context = {
        "scope": scope,
        "period": period,
        "figures": figures,
        "totals": figures.totals,
        "charts": [tables[name] for name in charts.CHARTS],
        "tops": [tables["most-read"], tables["most-commented"]],
        "query": _query(scope, request),
        "weeks": len(period.weeks),
        "week_choices": sorted({4, 12, 26, 52, settings.ALVEOLE_INSIGHTS_WEEKS, len(period.weeks)}),
    }
    return render(request, "insights/index.html", context)


@web_view
def chart(request: HttpRequest, name: str) -> HttpResponse:
    builder = charts.CHARTS.get(name)
    if builder is None:
        raise NotFound()
    scope, period = _scope_and_period(request)
    size = "narrow" if request.GET.get("size") == "narrow" else "wide"
    response = HttpResponse(charts.svg(builder(scope, period), size=size), content_type="image/svg+xml")
    response["Content-Security-Policy"] = CHART_CONTENT_SECURITY_POLICY
    # The figures are the viewer's own and change with every post: never kept by shared caches.
    response["Cache-Control"] = "private, max-age=60"
    return response


@web_view
def download(request: HttpRequest, name: str) -> HttpResponse:
    builder = charts.TABLES.get(name)
    if builder is None:
        raise NotFound()
    scope, period = _scope_and_period(request)
    table = builder(scope, period)
    response = HttpResponse(charts.csv_text(table), content_type="text/csv; charset=utf-8")
    where = f"-space-{scope.space.pk}" if scope.space is not None else ""
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="insights-{name}{where}-{stamp}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
