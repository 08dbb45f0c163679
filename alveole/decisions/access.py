"""The one door to polls, proposals and decisions: every lookup starts from the viewer's spaces."""

from __future__ import annotations

from django.db.models import QuerySet

from alveole.accounts.models import User
from alveole.core.errors import NotFound
from alveole.spaces.access import visible_spaces

from .models import Decision, Poll, Proposal


def visible_polls(viewer: User) -> QuerySet[Poll]:
    if not viewer.is_authenticated or not viewer.is_active:
        return Poll.objects.none()
    return Poll.objects.filter(
        organisation_id=viewer.org_id,
        space__in=visible_spaces(viewer),
        post__deleted_at__isnull=True,
    )


def visible_proposals(viewer: User) -> QuerySet[Proposal]:
    if not viewer.is_authenticated or not viewer.is_active:
        return Proposal.objects.none()
    return Proposal.objects.filter(
        organisation_id=viewer.org_id,
        space__in=visible_spaces(viewer),
        post__deleted_at__isnull=True,
    )


def visible_decisions(viewer: User) -> QuerySet[Decision]:
    if not viewer.is_authenticated or not viewer.is_active:
        return Decision.objects.none()
    return Decision.objects.filter(organisation_id=viewer.org_id, space__in=visible_spaces(viewer))


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
        return visible_decisions(viewer).select_related("space", "decided_by").get(pk=int(decision_id))
    except (Decision.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
