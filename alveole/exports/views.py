from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from alveole.accounts.access import viewer_of
from alveole.core.errors import AlveoleError, Invalid
from alveole.spaces.access import get_space_for
from alveole.web.shortcuts import web_view

from . import actions, retention
from .access import get_export_for
from .forms import ExportForm
from .jobs import exports_root
from .models import ExportStatus
from .selectors import is_confidential, label_name, may_export_confidential


def _request(request: HttpRequest, space_id: int | None) -> HttpResponse:
    viewer = viewer_of(request)
    space = get_space_for(viewer, space_id) if space_id is not None else None
    form = ExportForm(request.POST)
    if not form.is_valid():
        raise Invalid(fields={"password": _("Enter your password again to confirm the export.")})
    # Refusals (not a manager, wrong password) become an error page through web_view.
    export = actions.request_export(viewer, space=space, password=form.cleaned_data["password"])
    messages.success(request, _("The export is being prepared; this page shows when it is ready."))
    return redirect("export_detail", export_id=export.pk)


@require_POST
@web_view
def space_export(request: HttpRequest, space_id: int) -> HttpResponse:
    return _request(request, space_id)


@require_POST
@web_view
def organisation_export(request: HttpRequest) -> HttpResponse:
    return _request(request, None)


@require_POST
@web_view
def personal_export(request: HttpRequest) -> HttpResponse:
    form = ExportForm(request.POST)
    if not form.is_valid():
        raise Invalid(fields={"password": _("Enter your password again to confirm the export.")})
    export = actions.request_personal_export(viewer_of(request), password=form.cleaned_data["password"])
    messages.success(request, _("The export is being prepared; this page shows when it is ready."))
    return redirect("export_detail", export_id=export.pk)


@require_GET
@web_view
def export_detail(request: HttpRequest, export_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    export = get_export_for(viewer, export_id)
    running = export.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)
    # Refused when it was built (a role or a label changed after the request): the stored sentence says why.
    refused = (
        export.status == ExportStatus.FAILED
        and not export.personal
        and (not may_export_confidential(viewer) and (export.space is None or is_confidential(export.space)))
    )
    context = {
        "export": export,
        "running": running,
        "refused": refused,
        "label": label_name(export.space) if export.space is not None else "",
    }
    return render(request, "exports/detail.html", context)


@require_GET
def export_download(request: HttpRequest, export_id: int) -> FileResponse:
    try:
        export = get_export_for(viewer_of(request), export_id)
    except AlveoleError:  # not signed in, or not theirs: the same answer as a missing file
        raise Http404 from None
    path = exports_root() / export.storage_name
    if export.status != ExportStatus.DONE or not export.storage_name or not path.is_file():
        raise Http404
    name = f"alveole-export-{export.created_at:%Y-%m-%d}-{export.pk}.zip"
    response = FileResponse(open(path, "rb"), as_attachment=True, filename=name, content_type="application/zip")
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _days(request: HttpRequest) -> int | None:
    raw = request.POST.get("days", "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise Invalid(fields={"days": _("Enter a whole number of days, or leave it empty.")}) from None


@require_POST
@web_view
def space_retention(request: HttpRequest, space_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    space = get_space_for(viewer, space_id)
    retention.set_retention(viewer, space=space, days=_days(request))
    messages.success(request, _("The retention period is saved."))
    return redirect("space_settings", space_id=space.pk)


@require_POST
@web_view
def organisation_retention(request: HttpRequest) -> HttpResponse:
    retention.set_retention(viewer_of(request), space=None, days=_days(request))
    messages.success(request, _("The retention period is saved."))
    return redirect("org_settings")


@require_POST
@web_view
def space_legal_hold(request: HttpRequest, space_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    space = get_space_for(viewer, space_id)
    on = bool(request.POST.get("on"))
    retention.set_legal_hold(viewer, space=space, on=on, reason=request.POST.get("reason", ""))
    messages.success(request, _("The legal hold is placed.") if on else _("The legal hold is lifted."))
    return redirect("space_settings", space_id=space.pk)
