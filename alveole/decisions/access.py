"""The one door to polls, proposals and decisions: the feed's rule (feed.access.visible_posts) on the
post they live in.

A poll or a proposal is a post: whoever cannot read the post — held for validation, refused, hidden
by a moderator, deleted, or confidential for a guest — cannot read its question, vote on it, find it
in the calendar or among the votes awaiting them, nor read the decision it led to. `published=True`
leaves out held and refused posts even for those who may see them (their author, the moderators):
what counts as news — awaiting my vote, the calendar, reminders, catch-up — starts at publication.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from alveole.accounts.models import User
from alveole.core.errors import NotFound
from alveole.feed.access import visible_posts
from alveole.spaces.access import visible_spaces

from .models import Decision, Poll, Proposal


def visible_polls(viewer: User, *, published: bool = False) -> QuerySet[Poll]:
    if not viewer.is_authenticated or not viewer.is_active:
        return Poll.objects.none()
    posts = visible_posts(viewer, published=published).values("pk")
    return Poll.objects.filter(organisation_id=viewer.org_id, post__in=posts)


def visible_proposals(viewer: User, *, published: bool = False) -> QuerySet[Proposal]:
    if not viewer.is_authenticated or not viewer.is_active:
        return Proposal.objects.none()
    posts = visible_posts(viewer, published=published).values("pk")
    return Proposal.objects.filter(organisation_id=viewer.org_id, post__in=posts)


def visible_decisions(viewer: User, *, published: bool = False) -> QuerySet[Decision]:
    """Decisions whose vote's post the viewer may read; one whose post is gone for good (SET_NULL)
    stays in its space's log."""
    if not viewer.is_authenticated or not viewer.is_active:
        return Decision.objects.none()
    posts = visible_posts(viewer, published=published).values("pk")
    orphan = Q(post__isnull=True, space__in=visible_spaces(viewer))
    return Decision.objects.filter(Q(post__in=posts) | orphan, organisation_id=viewer.org_id)


def get_poll_for(viewer: User, poll_id: int | str) -> Poll:
    try:
        return visible_polls(viewer).select_related("space", "author", "post").get(pk=int(poll_id))
    except (Poll.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def get_proposal_for(viewer: User, proposal_id: int | str) -> Proposal:
    try:
        return visible_proposals(viewer).select_related("space", "author", "post").get(pk=int(proposal_id))
    except (Proposal.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def get_decision_for(viewer: User, decision_id: int | str) -> Decision:
    try:
        return visible_decisions(viewer).select_related("space", "decided_by", "post").get(pk=int(decision_id))
    except (Decision.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
