"""Read queries for pages and the API, scoped to the viewer.

`awaiting_my_vote(viewer)` is the entry point for the catch-up page: the open polls and
proposals in the viewer's spaces that they have not answered yet.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from alveole.accounts.models import Role, User
from alveole.core.errors import PermissionDenied
from alveole.feed.models import Post
from alveole.spaces import labels
from alveole.spaces.models import Space, SpaceMembership

from .access import visible_decisions, visible_polls, visible_proposals
from .models import AnonymousTally, Answer, Decision, Participation, Poll, PollOption, Proposal, Response, Vote


def option_counts(poll: Poll) -> dict[int, int]:
    """Option id -> number of choices (anonymous polls: their counters)."""
    counts = dict.fromkeys((o.pk for o in poll.options.all()), 0)
    if poll.anonymous:
        counts.update(dict(AnonymousTally.objects.filter(poll=poll).values_list("option_id", "count")))
    else:
        named = Vote.objects.filter(poll=poll).values("option_id").annotate(n=Count("id"))
        counts.update({row["option_id"]: row["n"] for row in named})
    return counts


def participant_count(poll: Poll) -> int:
    return Participation.objects.filter(poll=poll).count()


def my_choices(viewer: User, poll: Poll) -> list[int] | None:
    """The options the viewer chose; None when unknown (anonymous: only whether they voted is kept)."""
    if poll.anonymous:
        return None
    return list(Vote.objects.filter(poll=poll, user=viewer).values_list("option_id", flat=True))


def has_voted(viewer: User, poll: Poll) -> bool:
    return Participation.objects.filter(poll=poll, user=viewer).exists()


def answer_counts(proposal: Proposal) -> dict[str, int]:
    counts = dict.fromkeys(Answer.values, 0)
    rows = Response.objects.filter(proposal=proposal).values("answer").annotate(n=Count("id"))
    counts.update({r["answer"]: r["n"] for r in rows})
    return counts


def space_member_count(space: Space) -> int:
    return SpaceMembership.objects.filter(space=space, user__is_active=True).count()


def proposal_tallies(proposal: Proposal) -> dict:
    counts = answer_counts(proposal)
    participants = sum(counts.values())
    members = space_member_count(proposal.space)
    quorum_met = proposal.quorum is None or participants * 100 >= proposal.quorum * members
    return {
        "counts": counts,
        "participants": participants,
        "members": members,
        "quorum": proposal.quorum,
        "quorum_met": quorum_met,
        "blocked": counts[Answer.BLOCK] > 0,
        "accepted": quorum_met and counts[Answer.BLOCK] == 0 and counts[Answer.AGREE] > counts[Answer.DISAGREE],
    }


def poll_tallies(poll: Poll) -> dict:
    counts = option_counts(poll)
    return {
        "options": [{"id": o.pk, "label": o.label, "count": counts[o.pk]} for o in poll.options.all()],
        "participants": participant_count(poll),
    }


def responses_of(proposal: Proposal) -> QuerySet[Response]:
    return Response.objects.filter(proposal=proposal).select_related("user").order_by("updated_at", "id")


def eligible_voters(space: Space) -> QuerySet[User]:
    """The people asked to vote: the space's active members (open spaces' readers may vote too)."""
    return User.objects.filter(space_memberships__space=space, is_active=True).distinct()


def not_voted_in_poll(poll: Poll) -> QuerySet[User]:
    return eligible_voters(poll.space).exclude(pk__in=Participation.objects.filter(poll=poll).values("user_id"))


def not_responded_to(proposal: Proposal) -> QuerySet[User]:
    return eligible_voters(proposal.space).exclude(pk__in=Response.objects.filter(proposal=proposal).values("user_id"))


def not_voted(item: Poll | Proposal) -> QuerySet[User]:
    """The people asked to vote who have not yet: no ballot in a poll, no answer to a proposal."""
    return not_voted_in_poll(item) if isinstance(item, Poll) else not_responded_to(item)


def to_remind(item: Poll | Proposal) -> QuerySet[User]:
    """`not_voted`, less the guests when the vote's post is confidential (spaces.labels: guests are
    never let into confidential content; this is the backstop, as in feed.access.visible_posts)."""
    people = not_voted(item)
    if Post.objects.filter(pk=item.post_id).filter(labels.restricted_posts()).exists():
        people = people.exclude(role=Role.GUEST)
    return people


def who_has_not_voted(viewer: User, item: Poll | Proposal) -> QuerySet[User]:
    """`not_voted` by name, as the viewer may see it: only the author may ask, and an anonymous
    poll names nobody (who has voted would narrow down who chose what)."""
    if item.author_id != viewer.pk:
        if isinstance(item, Poll):
            raise PermissionDenied(_("Only the author can see who has not voted."))
        raise PermissionDenied(_("Only the author can see who has not answered."))
    if isinstance(item, Poll) and item.anonymous:
        raise PermissionDenied(_("This poll is anonymous: who has voted is not shown."))
    return not_voted(item).order_by("full_name")


def voters_by_option(poll: Poll) -> dict[int, list[User]]:
    """Who chose what — only for non-anonymous polls (callers check that the viewer is the author)."""
    if poll.anonymous:
        return {}
    out: dict[int, list[User]] = {o.pk: [] for o in poll.options.all()}
    for vote in Vote.objects.filter(poll=poll).select_related("user").order_by("user__full_name"):
        out.setdefault(vote.option_id, []).append(vote.user)
    return out


# --- the feed: polls and proposals of a page of posts, in a fixed number of queries ----------


@dataclass
class PostVotes:
    polls: dict[int, Poll] = field(default_factory=dict)  # post id -> poll
    proposals: dict[int, Proposal] = field(default_factory=dict)  # post id -> proposal


def votes_for_posts(viewer: User, post_ids: Iterable[int]) -> PostVotes:
    """The polls (with options, counts and whether the viewer voted) and proposals attached to these posts.

    Four queries whatever the number of posts: polls, their options, proposals, and nothing else.
    Counts are annotated; per-viewer state is annotated with Exists.
    """
    ids = list(post_ids)
    out = PostVotes()
    if not ids:
        return out
    polls = (
        visible_polls(viewer)
        .filter(post_id__in=ids)
        .annotate(
            participant_total=Count("participations", distinct=True),
            i_voted=Exists(Participation.objects.filter(poll=OuterRef("pk"), user=viewer)),
        )
        .prefetch_related(
            Prefetch(
                "options",
                queryset=PollOption.objects.annotate(
                    named_votes=Count("votes", distinct=True),
                    mine=Exists(Vote.objects.filter(option=OuterRef("pk"), user=viewer)),
                ).select_related("tally"),
            )
        )
    )
    for poll in polls:
        out.polls[poll.post_id] = poll
    proposals = (
        visible_proposals(viewer)
        .filter(post_id__in=ids)
        .annotate(
            participant_total=Count("responses", distinct=True),
            my_answer=Response.objects.filter(proposal=OuterRef("pk"), user=viewer).values("answer")[:1],
        )
    )
    for proposal in proposals:
        out.proposals[proposal.post_id] = proposal
    return out


# --- awaiting my vote ----------------------------------------------------------------


@dataclass
class Awaiting:
    polls: list[Poll]
    proposals: list[Proposal]


def awaiting_my_vote(viewer: User) -> Awaiting:
    """Open polls and proposals in the spaces the viewer belongs to that they have not answered, soonest first."""
    now = timezone.now()
    mine = SpaceMembership.objects.filter(user=viewer).values("space_id")
    polls = (
        visible_polls(viewer, published=True)
        .filter(space_id__in=mine, closed_at__isnull=True, closes_at__gt=now)
        .exclude(Exists(Participation.objects.filter(poll=OuterRef("pk"), user=viewer)))
        .select_related("space", "post")
        .order_by("closes_at", "id")
    )
    proposals = (
        visible_proposals(viewer, published=True)
        .filter(space_id__in=mine, closed_at__isnull=True, closes_at__gt=now)
        .exclude(Exists(Response.objects.filter(proposal=OuterRef("pk"), user=viewer)))
        .select_related("space", "post")
        .order_by("closes_at", "id")
    )
    return Awaiting(polls=list(polls), proposals=list(proposals))


# --- decision logs ---------------------------------------------------------------------


def space_decisions(viewer: User, space: Space) -> QuerySet[Decision]:
    return (
        visible_decisions(viewer)
        .filter(space=space)
        .select_related("space", "decided_by")
        .order_by("-decided_at", "-id")
    )


def key_decisions(
    viewer: User,
    *,
    space_id: int | None = None,
    since: datetime.date | datetime.datetime | None = None,
    until: datetime.date | datetime.datetime | None = None,
    published: bool = False,
) -> QuerySet[Decision]:
    """The organisation's decisions the viewer may see, newest first; `until` is inclusive of its day
    (`published`: as visible_decisions, for catch-up)."""
    qs = visible_decisions(viewer, published=published).select_related("space", "decided_by")
    qs = qs.order_by("-decided_at", "-id")
    if space_id is not None:
        qs = qs.filter(space_id=space_id)
    if since is not None:
        qs = qs.filter(decided_at__gte=_start(since))
    if until is not None:
        qs = qs.filter(decided_at__lt=_end(until))
    return qs


def _start(value: datetime.date | datetime.datetime) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return value
    return timezone.make_aware(datetime.datetime.combine(value, datetime.time.min))


def _end(value: datetime.date | datetime.datetime) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return value
    return _start(value) + datetime.timedelta(days=1)


def open_deadlines_for(viewer: User) -> list[dict]:
    """Closing times of the open votes in the viewer's spaces, for the calendar feed (alveole.projects.calendar)."""
    now = timezone.now()
    mine = SpaceMembership.objects.filter(user=viewer).values("space_id")
    polls = visible_polls(viewer, published=True).filter(space_id__in=mine, closed_at__isnull=True, closes_at__gt=now)
    proposals = visible_proposals(viewer, published=True).filter(
        space_id__in=mine, closed_at__isnull=True, closes_at__gt=now
    )
    # A confidential vote (spaces.labels) is marked so: the calendar shows no text of it.
    secret = labels.restricted_posts("post__")
    polls = polls.annotate(confidential=ExpressionWrapper(secret, output_field=BooleanField()))
    proposals = proposals.annotate(confidential=ExpressionWrapper(secret, output_field=BooleanField()))
    return [
        {"id": f"poll-{pk}", "title": title, "deadline": when, "confidential": bool(confidential)}
        for pk, title, when, confidential in polls.values_list("pk", "question", "closes_at", "confidential")
    ] + [
        {"id": f"proposal-{pk}", "title": title[:120], "deadline": when, "confidential": bool(confidential)}
        for pk, title, when, confidential in proposals.values_list("pk", "statement", "closes_at", "confidential")
    ]
