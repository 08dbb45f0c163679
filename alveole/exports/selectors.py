"""What an export holds: published content only, and confidential content only for owners.

An export is an archive that leaves the application, so it keeps out what the space's readers no
longer see (deleted, hidden by a moderator after a report) or never saw (held for validation,
refused). Confidential content — a space or a post carrying a restricted label — is exported by
the organisation's owners only: a manager of a confidential space is refused, and a manager of a
space holding a few raised posts gets the export without them, told how many were left out.

Direct messages are confidential by nature: a space's export never holds them; a personal export
holds its requester's own conversations; an owners' export of everything holds every conversation
only when the organisation's policy (`export_includes_conversations`) says so.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from alveole.accounts.models import User
from alveole.conversations.access import conversations_of
from alveole.conversations.models import Conversation
from alveole.feed.models import Comment, Post, Review
from alveole.spaces import labels
from alveole.spaces.models import Space

from .models import Export


def may_export_confidential(user: User) -> bool:
    """Only the organisation's owners take confidential content out of Alvéole."""
    return user.is_active and user.is_owner


def is_confidential(space: Space) -> bool:
    return labels.is_restricted(space)


def label_name(space: Space) -> str:
    """The name of the label `space` carries: its own, or its organisation's lowest."""
    label = labels.space_label(space) or labels.lowest_label(space.organisation_id)
    return label.name if label is not None else ""


def confidential_refusal(space: Space) -> str:
    """Why a non-owner may not export `space`, a confidential one."""
    return _("“%(space)s” carries the confidential label %(label)s: only the organisation's owners can export it.") % {
        "space": space.name,
        "label": label_name(space),
    }


def published_posts(space: Space) -> QuerySet[Post]:
    """The space's posts its readers see: not deleted, not hidden, neither held nor refused."""
    return Post.objects.filter(space=space, deleted_at__isnull=True, hidden_at__isnull=True, review=Review.PUBLISHED)


def exported_posts(space: Space, *, confidential: bool) -> QuerySet[Post]:
    """The posts an export of `space` holds; `confidential`: whether the requester may take those."""
    posts = published_posts(space)
    return posts if confidential else posts.exclude(labels.restricted_posts())


def confidential_left_out(space: Space) -> int:
    """How many published posts of `space` an export without confidential content leaves out."""
    return published_posts(space).filter(labels.restricted_posts()).count()


def exported_comments() -> QuerySet[Comment]:
    """The comments an export holds (of the posts it holds): published, neither deleted nor hidden."""
    return Comment.objects.filter(deleted_at__isnull=True, hidden_at__isnull=True, review=Review.PUBLISHED)


def includes_conversations(export: Export) -> bool:
    """Whether `export` holds direct messages, read when the ZIP is built (a role or the policy may change).

    A personal export: always (its requester's own). An export of everything by an owner: only under
    the organisation's policy. Any other export (a space's): never."""
    if export.personal:
        return True
    return (
        export.space_id is None
        and may_export_confidential(export.requested_by)
        and export.organisation.export_includes_conversations
    )


def exported_conversations(export: Export) -> QuerySet[Conversation]:
    """The conversations `export` holds: a personal export's requester's own (not those they left); an
    included export of everything, every conversation of the organisation; else none."""
    if not includes_conversations(export):
        return Conversation.objects.none()
    if export.personal:
        return conversations_of(export.requested_by)
    return Conversation.objects.filter(organisation_id=export.organisation_id)


def conversations_reason(export: Export) -> str:
    """Why the ZIP holds direct messages or not, in the requester's words (its index page, manifest.json)."""
    if export.personal:
        return _("Your own direct messages: the conversations you take part in.")
    if export.space_id is not None:
        return _("Direct messages are confidential by nature: an export of a space never includes them.")
    if export.organisation.export_includes_conversations:
        return _(
            "The organisation's policy includes direct messages in the owners' export of everything; "
            "this export is recorded in the audit log."
        )
    return _(
        "Direct messages are confidential by nature: the organisation's policy keeps them out of exports "
        "(owners can change it in the organisation's settings)."
    )
