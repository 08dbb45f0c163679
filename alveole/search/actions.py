"""Writing the search index: one entry per findable thing, rewritten whenever its source changes.

Called by the receivers (search/receivers.py) inside the feature's transaction, so an entry commits
or rolls back with its source, and by `alveole search reindex`. An entry holds text, what the
filters need and what its rights hang on (search/models.py): its space, its post's label and `shown`,
rewritten for everything in a post whenever the post's state changes (refresh_post).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Q, QuerySet, Value, When
from django.urls import reverse
from pypdf import PdfReader

from alveole.accounts.models import User
from alveole.decisions.models import Decision, Poll, Proposal
from alveole.feed import files
from alveole.feed.access import is_public
from alveole.feed.models import Attachment, Comment, Post, Review, Topic
from alveole.projects.models import Milestone, Task
from alveole.spaces.models import Space

from .models import Entry, Kind

log = logging.getLogger(__name__)

TEXT_TYPES = {"text/plain", "text/markdown"}
PDF_TYPE = "application/pdf"

# A few of each language's commonest words: enough to tell French from English in a post, so each
# entry is stemmed in its own language when its author chose none.
_FRENCH = frozenset("le la les des est et une un pour que dans du au aux sur avec pas ce cette nous vous qui".split())
_ENGLISH = frozenset("the and is of to for in with on this that we you are be it not our".split())


def language_of(text: str, author: User | None) -> str:
    if author is not None and author.language in ("fr", "en"):
        return author.language
    words = re.findall(r"\w+", text.lower()[:2000])
    french = sum(w in _FRENCH for w in words)
    english = sum(w in _ENGLISH for w in words)
    if french > english:
        return "fr"
    if english > french:
        return "en"
    return settings.LANGUAGE_CODE[:2] if settings.LANGUAGE_CODE[:2] in ("fr", "en") else ""


def _clip(text: str) -> str:
    return text[: settings.ALVEOLE_SEARCH_INDEXED_CHARS]


# While `reindex` runs, its entries are gathered here and inserted in batches instead of one by one
# (a context variable: another thread's writes meanwhile go straight to the table).
_bulk: ContextVar[list[Entry] | None] = ContextVar("alveole_search_bulk", default=None)
BATCH = 1000


def _put(kind: str, object_id: int, *, organisation_id: int, **fields: object) -> None:
    fields["title"] = str(fields.get("title", ""))[:300]
    fields["body"] = _clip(str(fields.get("body", "")))
    gathered = _bulk.get()
    if gathered is not None:
        gathered.append(Entry(kind=kind, object_id=object_id, organisation_id=organisation_id, **fields))
        if len(gathered) >= BATCH:
            _flush()
        return
    # One statement (INSERT … ON CONFLICT DO UPDATE) on both databases: a post costs one more query.
    entry = Entry(kind=kind, object_id=object_id, organisation_id=organisation_id, **fields)
    Entry.objects.bulk_create(
        [entry],
        update_conflicts=True,
        unique_fields=["kind", "object_id"],
        update_fields=["organisation_id", *fields],
    )


def _flush() -> None:
    gathered = _bulk.get()
    if gathered:
        Entry.objects.bulk_create(gathered)
        gathered.clear()


def remove(kind: str, object_id: int) -> None:
    Entry.objects.filter(kind=kind, object_id=object_id).delete()


# --- what an entry's rights hang on --------------------------------------------------------------


def _shown(*items: Post | Comment | None) -> bool:
    """Whether every reader of the place sees an item: it and what holds it are published, not held,
    refused, hidden or deleted (feed.access says who else still sees them: never in search)."""
    return all(item is None or (item.deleted_at is None and is_public(item)) for item in items)


def _in_post(post: Post, item: Post | Comment | None = None) -> dict[str, Any]:
    """Where a post, or a comment or file in it, lives and whether its place shows it."""
    return {
        "organisation_id": post.organisation_id,
        "space_id": post.space_id,
        "label_id": post.label_id,
        "post_id": post.pk,
        "shown": _shown(post, item),
    }


def _post_state(owner: Poll | Proposal | Decision) -> dict[str, object]:
    """`shown` and `label_id` for a poll, proposal or decision, from its post (reindex selects it along)."""
    post = owner.post if owner.post_id is not None else None
    if post is None:
        return {"shown": True, "label_id": None}  # a decision whose post is gone for good: its log shows it
    return {"shown": _shown(post), "label_id": post.label_id}


def refresh_post(post: Post) -> None:
    """After a post was hidden, shown, held, validated, refused, deleted, moved or relabelled: what lives
    in it (comments, files, poll, proposal, decision) follows, in three statements whatever their number."""
    inside = Entry.objects.filter(post_id=post.pk).exclude(kind=Kind.POST)
    place = {"space_id": post.space_id, "label_id": post.label_id}
    if not _shown(post):
        inside.update(shown=False, **place)
        return
    inside.exclude(kind__in=(Kind.COMMENT, Kind.FILE)).update(shown=True, **place)
    public = Comment.objects.filter(post_id=post.pk, deleted_at__isnull=True, hidden_at__isnull=True)
    public = public.filter(review=Review.PUBLISHED)
    inside.filter(kind=Kind.COMMENT).update(
        shown=Case(When(object_id__in=public.values("pk"), then=Value(True)), default=Value(False)), **place
    )
    files_shown = Attachment.objects.filter(Q(post_id=post.pk) | Q(comment_id__in=public.values("pk")))
    inside.filter(kind=Kind.FILE).update(
        shown=Case(When(object_id__in=files_shown.values("pk"), then=Value(True)), default=Value(False)), **place
    )


def refresh_comment_files(comment: Comment) -> None:
    """After a comment was hidden, shown or reviewed: its files follow."""
    attached = Attachment.objects.filter(comment_id=comment.pk).values("pk")
    Entry.objects.filter(kind=Kind.FILE, object_id__in=attached).update(shown=_shown(comment, comment.post))


# --- one function per kind of source -------------------------------------------------------------


def index_post(post: Post) -> None:
    """`has_file` is left as it is: files are attached after the post is saved (index_attachment
    marks it), and reindex marks them all in one update."""
    if post.deleted_at is not None:
        remove(Kind.POST, post.pk)
        return
    _put(
        Kind.POST,
        post.pk,
        **_in_post(post),
        author_id=post.author_id,
        created_at=post.created_at,
        language=language_of(post.body, post.author),
        body=post.body,
        link=reverse("post", args=[post.pk]),
    )


def index_comment(comment: Comment) -> None:
    if comment.deleted_at is not None:
        remove(Kind.COMMENT, comment.pk)
        return
    post = comment.post
    _put(
        Kind.COMMENT,
        comment.pk,
        **_in_post(post, comment),
        author_id=comment.author_id,
        created_at=comment.created_at,
        language=language_of(comment.body, comment.author),
        body=comment.body,
        link=reverse("post", args=[post.pk]) + f"#comment-{comment.pk}",
    )


def file_text(attachment: Attachment) -> str:
    """The readable text of a text, Markdown or PDF file, cut at the configured size; '' otherwise."""
    path = Path(files.storage_root()) / attachment.storage_name
    limit = settings.ALVEOLE_SEARCH_INDEXED_CHARS
    try:
        if attachment.content_type in TEXT_TYPES or attachment.original_name.lower().endswith((".txt", ".md")):
            with open(path, "rb") as handle:
                return handle.read(limit * 4).decode("utf-8", errors="replace")[:limit]
        if attachment.content_type == PDF_TYPE:
            return _pdf_text(path, limit)
    except Exception as exc:  # noqa: BLE001
        # Anyone may upload a file, and a malformed PDF can make pypdf raise nearly anything: the file is still
        # found by its name, and the post or comment it came with must not fail for want of its text.
        log.info("no text indexed for attachment %s: %s", attachment.pk, exc)
    return ""


def _pdf_text(path: Path, limit: int) -> str:
    reader = PdfReader(path)
    parts: list[str] = []
    size = 0
    for page in reader.pages[: settings.ALVEOLE_SEARCH_PDF_PAGES]:
        text = page.extract_text() or ""
        parts.append(text)
        size += len(text)
        if size >= limit:
            break
    return "\n".join(parts)[:limit]


def index_attachment(attachment: Attachment) -> None:
    item: Post | Comment | None = attachment.post if attachment.post_id else attachment.comment
    if item is None:
        return  # not attached yet: nobody but its uploader knows of it
    post = item if isinstance(item, Post) else item.post
    anchor = f"#comment-{item.pk}" if isinstance(item, Comment) else ""
    _put(
        Kind.FILE,
        attachment.pk,
        **_in_post(post, item),
        author_id=attachment.uploader_id,
        has_file=True,
        created_at=attachment.created_at,
        language=language_of(post.body, post.author),
        title=attachment.original_name,
        body=file_text(attachment),
        link=reverse("post", args=[post.pk]) + anchor,
    )
    if _bulk.get() is None:
        Entry.objects.filter(kind=Kind.COMMENT if anchor else Kind.POST, object_id=item.pk).update(has_file=True)


def index_task(task: Task) -> None:
    _put(
        Kind.TASK,
        task.pk,
        organisation_id=task.organisation_id,
        space_id=task.space_id,
        author_id=task.created_by_id,
        created_at=task.created_at,
        language=language_of(f"{task.title} {task.description}", task.created_by),
        title=task.title,
        body=task.description,
        link=reverse("task", args=[task.pk]),
    )


def index_milestone(milestone: Milestone) -> None:
    space = milestone.space
    _put(
        Kind.MILESTONE,
        milestone.pk,
        organisation_id=space.organisation_id,
        space_id=space.pk,
        created_at=milestone.created_at,
        language=language_of(milestone.title, None),
        title=milestone.title,
        link=reverse("space_plan", args=[space.pk]),
    )


def index_poll(poll: Poll) -> None:
    options = " · ".join(poll.options.order_by("position").values_list("label", flat=True))
    _put(
        Kind.POLL,
        poll.pk,
        organisation_id=poll.organisation_id,
        space_id=poll.space_id,
        **_post_state(poll),
        author_id=poll.author_id,
        post_id=poll.post_id,
        created_at=poll.created_at,
        language=language_of(poll.question, poll.author),
        title=poll.question,
        body=options,
        link=reverse("post", args=[poll.post_id]),
    )


def index_proposal(proposal: Proposal) -> None:
    _put(
        Kind.PROPOSAL,
        proposal.pk,
        organisation_id=proposal.organisation_id,
        space_id=proposal.space_id,
        **_post_state(proposal),
        author_id=proposal.author_id,
        post_id=proposal.post_id,
        created_at=proposal.created_at,
        language=language_of(proposal.statement, proposal.author),
        title=proposal.statement[:300],
        body=proposal.statement[300:],
        link=reverse("post", args=[proposal.post_id]),
    )


def index_decision(decision: Decision) -> None:
    _put(
        Kind.DECISION,
        decision.pk,
        organisation_id=decision.organisation_id,
        space_id=decision.space_id,
        **_post_state(decision),
        author_id=decision.decided_by_id,
        post_id=decision.post_id,
        created_at=decision.decided_at,
        language=language_of(f"{decision.title} {decision.outcome}", decision.decided_by),
        title=decision.title,
        body=decision.outcome,
        link=reverse("space_decisions", args=[decision.space_id]),
    )


def index_person(person: User) -> None:
    """A person by name (the tokenizers fold accents: "Alvarez" finds "Álvarez"), handle and job
    title. Their email is not indexed: only admins may search by it (selectors.suggest)."""
    if person.organisation_id is None:
        return  # a sign-in identity, not a person anyone finds
    if not person.is_active:
        remove(Kind.PERSON, person.pk)
        return
    _put(
        Kind.PERSON,
        person.pk,
        organisation_id=person.organisation_id,
        created_at=person.date_joined,
        title=person.full_name,
        body=" ".join(p for p in (f"@{person.handle}" if person.handle else "", person.title) if p),
        link=reverse("person", args=[person.pk]),
    )


def index_space(space: Space) -> None:
    _put(
        Kind.SPACE,
        space.pk,
        organisation_id=space.organisation_id,
        space_id=space.pk,
        created_at=space.created_at,
        language=language_of(f"{space.name} {space.description}", None),
        title=space.name,
        body=space.description,
        link=reverse("space_detail", args=[space.pk]),
    )


def index_new_topics(topics: list[Topic]) -> None:
    """Topics a post just named: the new ones get their entry, in one statement whatever their number."""
    Entry.objects.bulk_create(
        [
            Entry(
                kind=Kind.TOPIC,
                object_id=t.pk,
                organisation_id=t.organisation_id,
                created_at=t.created_at,
                title=f"#{t.label}",
                body=t.name,
                link=reverse("topic", args=[t.name]),
            )
            for t in topics
        ],
        ignore_conflicts=True,
    )


def index_topic(topic: Topic) -> None:
    _put(
        Kind.TOPIC,
        topic.pk,
        organisation_id=topic.organisation_id,
        created_at=topic.created_at,
        title=f"#{topic.label}",
        body=topic.name,
        link=reverse("topic", args=[topic.name]),
    )


# --- rebuilding ------------------------------------------------------------------------------------


def _batched(rows: QuerySet[Any], index: Callable[[Any], None]) -> int:
    count = 0
    for row in rows.iterator(chunk_size=BATCH):
        index(row)
        count += 1
    _flush()
    return count


@transaction.atomic
def reindex(*, organisation_id: int | None = None) -> dict[str, int]:
    """Drop and rebuild the index (of one organisation, or all): `alveole search reindex`."""
    entries = Entry.objects.all()
    if organisation_id is not None:
        entries = entries.filter(organisation_id=organisation_id)
    entries.delete()
    token = _bulk.set([])
    try:
        counts = _rebuild(organisation_id)
    finally:
        _bulk.reset(token)
    files = Attachment.objects.exclude(post__isnull=True, comment__isnull=True)
    if organisation_id is not None:
        files = files.filter(organisation_id=organisation_id)
    Entry.objects.filter(kind=Kind.POST, object_id__in=files.values("post_id")).update(has_file=True)
    Entry.objects.filter(kind=Kind.COMMENT, object_id__in=files.values("comment_id")).update(has_file=True)
    return counts


def _rebuild(organisation_id: int | None) -> dict[str, int]:

    def of(qs: Any, field: str = "organisation_id") -> Any:
        return qs if organisation_id is None else qs.filter(**{field: organisation_id})

    counts = {
        Kind.POST: _batched(of(Post.objects.filter(deleted_at__isnull=True)).select_related("author"), index_post),
        Kind.COMMENT: _batched(
            of(Comment.objects.filter(deleted_at__isnull=True), "post__organisation_id").select_related(
                "post", "author"
            ),
            index_comment,
        ),
        Kind.FILE: _batched(
            of(Attachment.objects.exclude(post__isnull=True, comment__isnull=True)).select_related(
                "post", "post__author", "comment", "comment__post", "comment__post__author"
            ),
            index_attachment,
        ),
        Kind.TASK: _batched(of(Task.objects.select_related("created_by")), index_task),
        Kind.MILESTONE: _batched(
            of(Milestone.objects.select_related("space"), "space__organisation_id"), index_milestone
        ),
        Kind.POLL: _batched(of(Poll.objects.select_related("author", "post")), index_poll),
        Kind.PROPOSAL: _batched(of(Proposal.objects.select_related("author", "post")), index_proposal),
        Kind.DECISION: _batched(of(Decision.objects.select_related("decided_by", "post")), index_decision),
        Kind.PERSON: _batched(of(User.objects.filter(organisation__isnull=False, is_active=True)), index_person),
        Kind.SPACE: _batched(of(Space.objects.all()), index_space),
        Kind.TOPIC: _batched(of(Topic.objects.all()), index_topic),
    }
    return {str(k): v for k, v in counts.items()}
