"""Serving uploaded files, always through an access check, never from a public folder."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_GET

from alveole.accounts.access import viewer_of
from alveole.core.errors import AlveoleError, PermissionDenied
from alveole.web.shortcuts import render_error

from . import actions, files
from .access import get_attachment_for
from .models import Attachment


def _lookup(request: HttpRequest, attachment_id: int) -> Attachment:
    try:
        return get_attachment_for(viewer_of(request), attachment_id)
    except AlveoleError:
        raise Http404 from None


def respond(path_name: str, content_type: str, download_name: str, inline: bool) -> FileResponse:
    path = files.storage_root() / path_name
    if not path.is_file():
        raise Http404
    response = FileResponse(
        open(path, "rb"),  # FileResponse closes it
        content_type=content_type,
        as_attachment=not inline,
        filename=download_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Even if a file were rendered, it could run nothing and reach nothing.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_GET
def attachment(request: HttpRequest, attachment_id: int, name: str) -> HttpResponseBase:
    item = _lookup(request, attachment_id)
    try:
        # A confidential file: the downloader's name and the time in its name, audited; or refused.
        download_name = actions.download_name(viewer_of(request), attachment=item)
    except PermissionDenied as denied:
        return render_error(request, denied)
    inline = item.content_type in files.INLINE_TYPES
    return respond(item.storage_name, item.content_type, download_name, inline)


@require_GET
def attachment_thumbnail(request: HttpRequest, attachment_id: int) -> FileResponse:
    item = _lookup(request, attachment_id)
    if not item.thumbnail_name:
        raise Http404
    return respond(item.thumbnail_name, "image/webp", "thumbnail.webp", inline=True)
