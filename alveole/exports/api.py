from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Status

from alveole.accounts.access import viewer_of
from alveole.core.bounds import Id
from alveole.spaces.access import get_space_for

from . import actions, retention
from .access import exports_of, get_export_for
from .models import Export, ExportStatus, RetentionPolicy
from .schemas import ExportIn, ExportOut, LegalHoldIn, RetentionIn, RetentionOut

router = Router(tags=["exports"])


def export_out(export: Export) -> dict:
    ready = export.status == ExportStatus.DONE
    return {
        "id": export.pk,
        "space_id": export.space_id,
        "status": export.status,
        "progress": export.progress,
        "size": export.size,
        "error": export.error,
        "confidential_left_out": export.confidential_left_out,
        "personal": export.personal,
        "conversations": export.conversations,
        "created_at": export.created_at,
        "finished_at": export.finished_at,
        "download_url": reverse("export_download", args=[export.pk]) if ready else None,
    }


@router.post("/spaces/{space_id}/export", response={202: ExportOut}, summary="Export a space (managers; password)")
def export_space(request: HttpRequest, space_id: Id, payload: ExportIn) -> Status:
    viewer = viewer_of(request)
    export = actions.request_export(viewer, space=get_space_for(viewer, space_id), password=payload.password)
    export.refresh_from_db()
    return Status(202, export_out(export))


@router.post("/organisation/export", response={202: ExportOut}, summary="Export everything (owners; password)")
def export_organisation(request: HttpRequest, payload: ExportIn) -> Status:
    viewer = viewer_of(request)
    export = actions.request_export(viewer, space=None, password=payload.password)
    export.refresh_from_db()
    return Status(202, export_out(export))


@router.post("/me/export", response={202: ExportOut}, summary="Export my direct messages (password)")
def export_mine(request: HttpRequest, payload: ExportIn) -> Status:
    export = actions.request_personal_export(viewer_of(request), password=payload.password)
    export.refresh_from_db()
    return Status(202, export_out(export))


@router.get("/exports", response=list[ExportOut], summary="My exports")
def list_exports(request: HttpRequest) -> list[dict]:
    return [export_out(e) for e in exports_of(viewer_of(request))[:50]]


@router.get("/exports/{export_id}", response=ExportOut, summary="One of my exports (progress, download link)")
def get_export(request: HttpRequest, export_id: Id) -> dict:
    return export_out(get_export_for(viewer_of(request), export_id))


def _retention_out(policy: RetentionPolicy) -> dict:
    return {"days": policy.days, "legal_hold": policy.legal_hold, "legal_hold_reason": policy.legal_hold_reason}


@router.get("/spaces/{space_id}/retention", response=RetentionOut, summary="A space's retention period and hold")
def get_space_retention(request: HttpRequest, space_id: Id) -> dict:
    viewer = viewer_of(request)
    space = get_space_for(viewer, space_id)
    return _retention_out(retention.policy_of(viewer.org_id, space))


@router.put("/spaces/{space_id}/retention", response=RetentionOut, summary="Set a space's retention (managers)")
def set_space_retention(request: HttpRequest, space_id: Id, payload: RetentionIn) -> dict:
    viewer = viewer_of(request)
    space = get_space_for(viewer, space_id)
    return _retention_out(retention.set_retention(viewer, space=space, days=payload.days))


@router.put("/organisation/retention", response=RetentionOut, summary="Set the organisation's retention (owners)")
def set_organisation_retention(request: HttpRequest, payload: RetentionIn) -> dict:
    viewer = viewer_of(request)
    return _retention_out(retention.set_retention(viewer, space=None, days=payload.days))


@router.put("/spaces/{space_id}/legal-hold", response=RetentionOut, summary="Place or lift a legal hold (admins)")
def set_legal_hold(request: HttpRequest, space_id: Id, payload: LegalHoldIn) -> dict:
    viewer = viewer_of(request)
    space = get_space_for(viewer, space_id)
    return _retention_out(retention.set_legal_hold(viewer, space=space, on=payload.on, reason=payload.reason))
