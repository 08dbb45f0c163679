"""Serving a conversation's files: only to its participants now (admins included in "anyone else": 404),
served as posts' files are (feed.downloads.respond: nosniff, a sandboxing CSP, never from a public folder)."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from alveole.accounts.access import viewer_of
from alveole.core.errors import AlveoleError
from alveole.feed import files
from alveole.feed.downloads import respond

from .access import get_attachment_for
from .models import MessageAttachment


def _lookup(request: HttpRequest, attachment_id: int) -> MessageAttachment:
    try:
        return get_attachment_for(viewer_of(request), attachment_id)
    except AlveoleError:
        raise Http404 from None


@require_GET
def message_file(request: HttpRequest, attachment_id: int, name: str) -> FileResponse:
    item = _lookup(request, attachment_id)
    inline = item.content_type in files.INLINE_TYPES
    return respond(item.storage_name, item.content_type, item.original_name, inline)


@require_GET
def message_file_thumbnail(request: HttpRequest, attachment_id: int) -> FileResponse:
    item = _lookup(request, attachment_id)
    if not item.thumbnail_name:
        raise Http404
    return respond(item.thumbnail_name, "image/webp", "thumbnail.webp", inline=True)
