"""Building an export: a ZIP with the data as JSON, the files, and a static HTML copy that opens
offline (file://) in any browser, years later, with no server."""

from __future__ import annotations

import json
import logging
import os
import re
import uuid
import zipfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from alveole.conversations.models import Conversation, Message, Participant
from alveole.core import audit
from alveole.core.jobs import own_transactions
from alveole.decisions.models import Decision
from alveole.feed import reactions
from alveole.feed.files import storage_root
from alveole.feed.models import Attachment, Reaction
from alveole.projects.models import Task
from alveole.spaces import labels
from alveole.spaces.models import Space, SpaceMembership

from .models import Export, ExportStatus
from .retention import purge_expired
from .selectors import (
    confidential_left_out,
    confidential_refusal,
    conversations_reason,
    exported_comments,
    exported_conversations,
    exported_posts,
    includes_conversations,
    is_confidential,
    label_name,
    may_export_confidential,
    published_posts,
)

log = logging.getLogger(__name__)


def exports_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "exports"


def _slug(space: Space) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", space.name.lower()).strip("-") or "space"
    return f"{base[:40]}-{space.pk}"


def _file_path(attachment: Attachment) -> str:
    safe = re.sub(r"[^\w.\-]+", "_", attachment.original_name)[:80] or "file"
    return f"files/{attachment.pk}-{safe}"


def _attachment(a: Attachment) -> dict[str, Any]:
    return {
        "name": a.original_name,
        "content_type": a.content_type,
        "size": a.size,
        "path": _file_path(a),
        "is_image": a.is_image,
    }


def collect(space: Space, *, confidential: bool) -> tuple[dict[str, Any], list[Attachment]]:
    """Everything of one space an export holds, and the files to put beside it.

    Published content only (selectors.exported_posts); `confidential`: whether the requester may take
    posts with a confidential label (owners). Anonymous votes appear as totals only."""
    posts = (
        exported_posts(space, confidential=confidential)
        .select_related("author", "shared_post", *labels.FEED_JOINS)
        .prefetch_related(
            Prefetch("comments", queryset=exported_comments().select_related("author").order_by("created_at", "id")),
            Prefetch("reactions", queryset=Reaction.objects.select_related("user").order_by("created_at")),
            Prefetch("attachments", queryset=Attachment.objects.order_by("id")),
        )
        .order_by("created_at", "id")
    )
    left_out = 0 if confidential else confidential_left_out(space)
    data: dict[str, Any] = {
        "space": {
            "id": space.pk,
            "name": space.name,
            "description": space.description,
            "kind": space.kind,
            "visibility": space.visibility,
            "archived": space.is_archived,
            "label": label_name(space),
            "confidential": is_confidential(space),
        },
        # Posts with a confidential label this export does not hold (its requester is not an owner).
        "confidential_posts_left_out": left_out,
        "members": [
            {"name": m.user.full_name, "email": m.user.email, "role": m.role, "joined_at": m.joined_at.isoformat()}
            for m in SpaceMembership.objects.filter(space=space).select_related("user").order_by("user__full_name")
        ],
        "posts": [],
        "tasks": [],
        "decisions": [],
    }
    files: list[Attachment] = []
    for post in posts:
        files.extend(post.attachments.all())
        data["posts"].append(
            {
                "id": post.pk,
                "author": post.author.full_name,
                "kind": post.kind,
                "created_at": post.created_at.isoformat(),
                "edited_at": post.edited_at.isoformat() if post.edited_at else None,
                "pinned": post.pinned_at is not None,
                # The label the post raised itself to; empty: the space's.
                "label": post.label.name if post.label is not None else None,
                "confidential": labels.is_restricted(post),
                "body": post.body,
                "body_html": post.body_html,
                "shared_post_id": post.shared_post_id,
                "attachments": [_attachment(a) for a in post.attachments.all()],
                # "kind" is the emoji; "name" says it in words, for a reader whose font lacks it.
                "reactions": [
                    {"person": r.user.full_name, "kind": r.kind, "name": reactions.label(r.kind)}
                    for r in post.reactions.all()
                ],
                "comments": [
                    {
                        "id": c.pk,
                        "parent_id": c.parent_id,
                        "author": c.author.full_name,
                        "body": c.body,
                        "body_html": c.body_html,
                        "created_at": c.created_at.isoformat(),
                        "is_answer": c.is_answer,
                    }
                    for c in post.comments.all()
                ],
            }
        )
    data["tasks"] = _tasks(space, confidential=confidential)
    data["decisions"] = _decisions(space, confidential=confidential)
    return data, files


def _tasks(space: Space, *, confidential: bool) -> list[dict[str, Any]]:
    # A task made from a post or a comment may repeat it: only from those the export holds.
    posts = published_posts(space)
    tasks = Task.objects.filter(Q(source_post__isnull=True) | Q(source_post__in=posts), space=space).filter(
        Q(source_comment__isnull=True) | Q(source_comment__in=exported_comments().filter(post__in=posts))
    )
    if not confidential:  # a task made from a confidential post may repeat it
        tasks = tasks.exclude(source_post__label__restricted=True).exclude(source_comment__post__label__restricted=True)
    tasks = tasks.prefetch_related("assignees").order_by("created_at", "id")
    return [
        {
            "title": t.title,
            "status": t.status,
            "due_date": t.due_date.isoformat() if t.due_date else None,
            "description_html": t.description_html,
            "assignees": [u.full_name for u in t.assignees.all()],
        }
        for t in tasks
    ]


def _decisions(space: Space, *, confidential: bool) -> list[dict[str, Any]]:
    # A decision repeats its vote's question: only those of the posts the export holds (or whose post
    # is gone for good, as in the space's log).
    decisions = Decision.objects.filter(Q(post__isnull=True) | Q(post__in=published_posts(space)), space=space)
    if not confidential:  # the outcome of a confidential poll or proposal is confidential too
        decisions = decisions.exclude(post__label__restricted=True)
    decisions = decisions.select_related("decided_by").order_by("decided_at", "id")
    # `tallies` hold totals per option or answer, never who voted what.
    return [
        {
            "title": d.title,
            "outcome": d.outcome,
            "decided_at": d.decided_at.isoformat(),
            "decided_by": d.decided_by.full_name if d.decided_by else None,
            "tallies": d.tallies,
            "post_id": d.post_id,
        }
        for d in decisions
    ]


def collect_conversations(conversations: QuerySet[Conversation]) -> list[dict[str, Any]]:
    """Conversations with their participants and messages (author, time, body, edited, deleted).

    A deleted message stays in its place, empty: its text is gone from Alvéole too."""
    conversations = conversations.prefetch_related(
        Prefetch("participants", queryset=Participant.objects.select_related("user").order_by("joined_at", "id")),
        Prefetch("messages", queryset=Message.objects.select_related("author").order_by("created_at", "id")),
    ).order_by("created_at", "id")
    found = []
    for conversation in conversations:
        people = list(conversation.participants.all())
        found.append(
            {
                "id": conversation.pk,
                "title": conversation.title,
                "name": conversation.title or ", ".join(p.user.full_name or p.user.handle for p in people),
                "created_at": conversation.created_at.isoformat(),
                "participants": [
                    {
                        "name": p.user.full_name,
                        "email": p.user.email,
                        "joined_at": p.joined_at.isoformat(),
                        "left_at": p.left_at.isoformat() if p.left_at else None,
                    }
                    for p in people
                ],
                "messages": [
                    {
                        "id": m.pk,
                        "parent_id": m.parent_id,
                        "author": m.author.full_name if m.author is not None else None,
                        "created_at": m.created_at.isoformat(),
                        "edited_at": m.edited_at.isoformat() if m.edited_at else None,
                        "deleted": m.deleted_at is not None,
                        "deleted_at": m.deleted_at.isoformat() if m.deleted_at else None,
                        "body": "" if m.deleted_at else m.body,
                        "body_html": "" if m.deleted_at else m.body_html,
                    }
                    for m in conversation.messages.all()
                ],
            }
        )
    return found


@task()
@own_transactions  # minutes of work: not one transaction (SQLite would hold its write lock throughout)
def build_export(export_id: int) -> None:
    export = Export.objects.select_related("organisation", "requested_by", "space__label").filter(pk=export_id).first()
    # RUNNING too: a worker killed mid-build leaves it so, and the lease gives the job to another.
    if export is None or export.status not in (ExportStatus.QUEUED, ExportStatus.RUNNING):
        return  # already built or failed (a job may run twice)
    Export.objects.filter(pk=export.pk).update(status=ExportStatus.RUNNING)
    # Read again now, not at the request: a role or a label may have changed in between.
    confidential = may_export_confidential(export.requested_by)
    refusal = ""
    with translation.override(export.requested_by.language or settings.LANGUAGE_CODE):
        if export.personal:
            if not export.requested_by.is_active:
                refusal = _("You are not allowed to do this.")
        elif export.space is None and not confidential:
            refusal = _("Only the organisation's owners can export everything.")
        elif export.space is not None and not confidential and is_confidential(export.space):
            refusal = confidential_refusal(export.space)
    if refusal:  # shown on the export's page and by the API
        Export.objects.filter(pk=export.pk).update(
            status=ExportStatus.FAILED, error=refusal[:500], finished_at=timezone.now()
        )
        return
    spaces = (
        []
        if export.personal
        else [export.space]
        if export.space is not None
        else list(
            Space.objects.filter(organisation_id=export.organisation_id).select_related("label").order_by("name", "id")
        )
    )
    folder = exports_root() / str(export.organisation_id)
    folder.mkdir(parents=True, exist_ok=True)
    storage_name = f"{export.organisation_id}/{uuid.uuid4().hex}.zip"
    final = exports_root() / storage_name
    partial = final.with_suffix(".part")
    try:
        with translation.override(export.requested_by.language or settings.LANGUAGE_CODE):
            left_out, conversations = _write(export, spaces, partial, confidential=confidential)
        os.replace(partial, final)
    except Exception as exc:
        partial.unlink(missing_ok=True)
        log.exception("export %s failed", export.pk)
        Export.objects.filter(pk=export.pk).update(
            status=ExportStatus.FAILED, error=str(exc)[:500], finished_at=timezone.now()
        )
        return
    with transaction.atomic():
        Export.objects.filter(pk=export.pk).update(
            status=ExportStatus.DONE,
            progress=100,
            storage_name=storage_name,
            size=final.stat().st_size,
            confidential_left_out=left_out,
            conversations=conversations or 0,
            finished_at=timezone.now(),
        )
        if conversations is not None and not export.personal:
            # Direct messages left Alvéole under the organisation's policy: the log says so, and how many.
            audit.record(
                "export.conversations",
                actor=export.requested_by,
                organisation=export.organisation,
                target=export.organisation,
                export=export.pk,
                conversations=conversations,
            )


def _write(export: Export, spaces: list[Space], path: Path, *, confidential: bool) -> tuple[int, int | None]:
    """Write the ZIP; returns how many confidential posts were left out, and how many conversations it
    holds (None: direct messages are not part of this export)."""
    exported_at = timezone.now()
    index = []
    left_out = 0
    # Read now: the organisation's policy or the requester's role may have changed since the request.
    included = includes_conversations(export)
    conversations = collect_conversations(exported_conversations(export)) if included else []
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for number, space in enumerate(spaces, start=1):
            data, files = collect(space, confidential=confidential)
            left_out += data["confidential_posts_left_out"]
            slug = _slug(space)
            archive.writestr(f"{slug}/data.json", json.dumps(data, indent=2, ensure_ascii=False))
            for attachment in files:
                source = storage_root() / attachment.storage_name
                if source.is_file():
                    archive.write(source, f"{slug}/{_file_path(attachment)}")
            page = render_to_string(
                "exports/space.html",
                {"data": data, "exported_at": exported_at, "organisation": export.organisation},
            )
            archive.writestr(f"{slug}/index.html", page)
            index.append(
                {
                    "name": space.name,
                    "path": f"{slug}/index.html",
                    "posts": len(data["posts"]),
                    "label": data["space"]["label"],
                    "left_out": data["confidential_posts_left_out"],
                }
            )
            Export.objects.filter(pk=export.pk).update(progress=int(number * 95 / max(1, len(spaces))))
        if included:
            archive.writestr(
                "conversations/data.json",
                json.dumps({"conversations": conversations}, indent=2, ensure_ascii=False),
            )
            archive.writestr(
                "conversations/index.html",
                render_to_string(
                    "exports/conversations.html",
                    {"conversations": conversations, "exported_at": exported_at, "organisation": export.organisation},
                ),
            )
        reason = conversations_reason(export)
        kind = "personal" if export.personal else "space" if export.space_id is not None else "organisation"
        manifest = {
            "kind": kind,
            "organisation": export.organisation.name,
            "requested_by": export.requested_by.full_name,
            "exported_at": exported_at.isoformat(),
            "spaces": [s["path"] for s in index],
            "confidential_posts_left_out": left_out,
            "conversations_included": included,
            "conversations": len(conversations),
            "conversations_reason": reason,
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        archive.writestr(
            "index.html",
            render_to_string(
                "exports/index.html",
                {
                    "spaces": index,
                    "exported_at": exported_at,
                    "organisation": export.organisation,
                    "left_out": left_out,
                    "personal": export.personal,
                    "conversations_included": included,
                    "conversations": len(conversations),
                    "conversations_reason": reason,
                },
            ),
        )
    return left_out, (len(conversations) if included else None)


# On the shared schedule (alveole.core.periodic finds it): retention, hourly.
PERIODIC = [(purge_expired, 3600)]
