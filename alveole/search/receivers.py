"""The features' signals → the search index, inside their transactions (search/actions.py).

Django's own post_save / post_delete cover every model whose rows are saved one by one; the
features' signals cover what they write in bulk: the topics a post names, files claimed by a post or
comment, a poll's options.
A save that only touches counters or marks (`update_fields` without any indexed field) is skipped.
A change to a post's or a comment's state (hidden, reviewed, deleted, moved, relabelled) reaches
what lives in it too (actions.refresh_post, actions.refresh_comment_files): its rights hang on it.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from alveole.accounts.models import User
from alveole.decisions import signals as decision_signals
from alveole.decisions.models import Decision, Poll, Proposal
from alveole.feed import signals as feed_signals
from alveole.feed.models import Attachment, Comment, Post, Topic
from alveole.projects.models import Milestone, Task
from alveole.spaces.models import Space

from . import actions
from .models import Kind

# The fields whose change changes what an entry says; saves of other fields leave it as it is.
INDEXED: dict[type, set[str]] = {
    Post: {"body", "deleted_at", "space", "created_at", "hidden_at", "review", "label"},
    Comment: {"body", "deleted_at", "created_at", "hidden_at", "review"},
    Attachment: {"original_name", "post", "comment"},
    Task: {"title", "description", "space"},
    Milestone: {"title", "date"},
    Poll: {"question"},
    Proposal: {"statement"},
    Decision: {"title", "outcome", "decided_by"},
    User: {"full_name", "handle", "title", "is_active", "language"},
    Space: {"name", "description"},
    Topic: {"label", "name"},
}
INDEXERS: dict[type, tuple[str, Any]] = {
    Post: (Kind.POST, actions.index_post),
    Comment: (Kind.COMMENT, actions.index_comment),
    Attachment: (Kind.FILE, actions.index_attachment),
    Task: (Kind.TASK, actions.index_task),
    Milestone: (Kind.MILESTONE, actions.index_milestone),
    Poll: (Kind.POLL, actions.index_poll),
    Proposal: (Kind.PROPOSAL, actions.index_proposal),
    Decision: (Kind.DECISION, actions.index_decision),
    User: (Kind.PERSON, actions.index_person),
    Space: (Kind.SPACE, actions.index_space),
    Topic: (Kind.TOPIC, actions.index_topic),
}

# The fields whose change changes who sees what lives in the item (nothing yet when it is created).
STATE = {"deleted_at", "space", "hidden_at", "review", "label"}
CASCADES: dict[type, Any] = {Post: actions.refresh_post, Comment: actions.refresh_comment_files}


def _saved(
    sender: type,
    instance: Any,
    created: bool = False,
    update_fields: frozenset[str] | None = None,
    raw: bool = False,
    **_: Any,
) -> None:
    if raw:
        return  # fixtures: `alveole search reindex` afterwards
    if update_fields is not None and not (set(update_fields) & INDEXED[sender]):
        return
    INDEXERS[sender][1](instance)
    if sender in CASCADES and not created and (update_fields is None or set(update_fields) & STATE):
        CASCADES[sender](instance)


def _reviewed(post: Post, comment: Comment | None, **_: Any) -> None:
    # Reviews are settled by a guarded UPDATE (feed.actions._reviewed), which sends no post_save.
    item = comment if comment is not None else post
    _saved(type(item), item, update_fields=frozenset({"review"}))


def _deleted(sender: type, instance: Any, **_: Any) -> None:
    actions.remove(INDEXERS[sender][0], instance.pk)


def _attached(attachment_ids: list[int], **_: Any) -> None:
    rows = Attachment.objects.filter(pk__in=attachment_ids).select_related(
        "post", "post__author", "comment", "comment__post", "comment__post__author"
    )
    for attachment in rows:
        actions.index_attachment(attachment)


def _topics_named(topics: list[Topic], **_: Any) -> None:
    # Topics are created in bulk when a post names them; a topic is findable once a post uses it.
    actions.index_new_topics(topics)


def _poll_created(poll_id: int, **_: Any) -> None:
    poll = Poll.objects.select_related("author").filter(pk=poll_id).first()
    if poll is not None:
        actions.index_poll(poll)


for model in INDEXERS:
    post_save.connect(_saved, sender=model, dispatch_uid=f"search.saved.{model.__name__}")
    post_delete.connect(_deleted, sender=model, dispatch_uid=f"search.deleted.{model.__name__}")
feed_signals.topics_named.connect(_topics_named, dispatch_uid="search.topics_named")
feed_signals.attachments_attached.connect(_attached, dispatch_uid="search.attached")
feed_signals.item_reviewed.connect(_reviewed, dispatch_uid="search.reviewed")
decision_signals.poll_created.connect(_poll_created, dispatch_uid="search.poll_created")
