from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from alveole.accounts.access import viewer_of
from alveole.accounts.models import User
from alveole.core.bounds import Id
from alveole.feed.schemas import AuthorOut
from alveole.spaces.access import get_space_for
from alveole.spaces.models import Space

from . import actions, selectors
from .access import get_decision_for, get_poll_for, get_proposal_for
from .models import Decision, Poll, Proposal
from .schemas import (
    AwaitingItemOut,
    CloseIn,
    DecisionOut,
    DecisionQuery,
    OutcomeIn,
    PollIn,
    PollOut,
    ProposalIn,
    ProposalOut,
    RespondIn,
    VoteIn,
)

router = Router(tags=["decisions"])


def _person(user: User) -> dict:
    return {"id": user.pk, "full_name": user.full_name, "handle": user.handle}


def _space(space: Space) -> dict:
    return {"id": space.pk, "name": space.name}


def _decision_id(obj: Poll | Proposal) -> int | None:
    return Decision.objects.filter(**{type(obj).__name__.lower(): obj}).values_list("pk", flat=True).first()


def poll_out(viewer: User, poll: Poll) -> dict:
    visible = poll.results_visible
    counts = selectors.option_counts(poll) if visible else {}
    # Who chose what: the author of a named poll only. Never for anonymous polls (nothing is kept).
    voters = selectors.voters_by_option(poll) if poll.author_id == viewer.pk and not poll.anonymous else None
    voted = selectors.has_voted(viewer, poll)
    return {
        "id": poll.pk,
        "post_id": poll.post_id,
        "space": _space(poll.space),
        "author": _person(poll.author),
        "question": poll.question,
        "multiple": poll.multiple,
        "anonymous": poll.anonymous,
        "hide_results_until_closed": poll.hide_results_until_closed,
        "closes_at": poll.closes_at,
        "closed": poll.is_closed,
        "results_visible": visible,
        "participants": selectors.participant_count(poll),
        "options": [
            {
                "id": o.pk,
                "label": o.label,
                "count": counts.get(o.pk, 0) if visible else None,
                "voters": [_person(u) for u in voters.get(o.pk, [])] if voters is not None else None,
            }
            for o in poll.options.all()
        ],
        "has_voted": voted,
        "my_choices": selectors.my_choices(viewer, poll),
        "can_change_vote": not poll.is_closed and not (poll.anonymous and voted),
        "decision_id": _decision_id(poll),
    }


def proposal_out(viewer: User, proposal: Proposal) -> dict:
    tallies = selectors.proposal_tallies(proposal)
    responses = list(selectors.responses_of(proposal))
    mine = next((r for r in responses if r.user_id == viewer.pk), None)
    return {
        "id": proposal.pk,
        "post_id": proposal.post_id,
        "space": _space(proposal.space),
        "author": _person(proposal.author),
        "statement": proposal.statement,
        "closes_at": proposal.closes_at,
        "closed": proposal.is_closed,
        "quorum": proposal.quorum,
        "members": tallies["members"],
        "participants": tallies["participants"],
        "quorum_met": tallies["quorum_met"],
        "counts": tallies["counts"],
        "responses": [
            {"user": _person(r.user), "answer": r.answer, "reason": r.reason, "updated_at": r.updated_at}
            for r in responses
        ],
        "my_answer": mine.answer if mine else None,
        "my_reason": mine.reason if mine else "",
        "decision_id": _decision_id(proposal),
    }


def decision_out(decision: Decision) -> dict:
    return {
        "id": decision.pk,
        "space": _space(decision.space),
        "title": decision.title,
        "outcome": _(actions.DEADLINE_OUTCOME) if decision.outcome == actions.DEADLINE_OUTCOME else decision.outcome,
        "outcome_pending": decision.outcome_pending,
        "kind": "poll" if decision.poll_id else "proposal",
        "poll_id": decision.poll_id,
        "proposal_id": decision.proposal_id,
        "tallies": decision.tallies,
        "post_id": decision.post_id,
        "decided_at": decision.decided_at,
        "decided_by": _person(decision.decided_by) if decision.decided_by else None,
    }


# --- polls ----------------------------------------------------------------------------


@router.post("/spaces/{space_id}/polls", response={201: PollOut}, summary="Ask a poll in a space (posted to its feed)")
def create_poll(request: HttpRequest, space_id: Id, payload: PollIn) -> Status:
    viewer = viewer_of(request)
    poll = actions.create_poll(viewer, space=get_space_for(viewer, space_id), **payload.dict())
    return Status(201, poll_out(viewer, get_poll_for(viewer, poll.pk)))


@router.get("/polls/{poll_id}", response=PollOut, summary="A poll and its results (when visible)")
def get_poll(request: HttpRequest, poll_id: Id) -> dict:
    viewer = viewer_of(request)
    return poll_out(viewer, get_poll_for(viewer, poll_id))


@router.post("/polls/{poll_id}/vote", response=PollOut, summary="Vote, or change my vote (anonymous votes are final)")
def vote(request: HttpRequest, poll_id: Id, payload: VoteIn) -> dict:
    viewer = viewer_of(request)
    poll = actions.vote(viewer, poll=get_poll_for(viewer, poll_id), option_ids=payload.option_ids)
    return poll_out(viewer, poll)


@router.post("/polls/{poll_id}/close", response=DecisionOut, summary="Close my poll with its outcome")
def close_poll(request: HttpRequest, poll_id: Id, payload: CloseIn) -> dict:
    return _close(request, get_poll_for, poll_id, payload.outcome)


@router.get("/polls/{poll_id}/not-voted", response=list[AuthorOut], summary="Members who have not voted (author)")
def poll_not_voted(request: HttpRequest, poll_id: Id) -> list[dict]:
    return _not_voted(request, get_poll_for, poll_id)


# --- proposals --------------------------------------------------------------------------


@router.post("/spaces/{space_id}/proposals", response={201: ProposalOut}, summary="Make a proposal (consent)")
def create_proposal(request: HttpRequest, space_id: Id, payload: ProposalIn) -> Status:
    viewer = viewer_of(request)
    proposal = actions.create_proposal(viewer, space=get_space_for(viewer, space_id), **payload.dict())
    return Status(201, proposal_out(viewer, get_proposal_for(viewer, proposal.pk)))


@router.get("/proposals/{proposal_id}", response=ProposalOut, summary="A proposal, its answers and the quorum")
def get_proposal(request: HttpRequest, proposal_id: Id) -> dict:
    viewer = viewer_of(request)
    return proposal_out(viewer, get_proposal_for(viewer, proposal_id))


@router.post("/proposals/{proposal_id}/respond", response=ProposalOut, summary="Agree, abstain, disagree or block")
def respond(request: HttpRequest, proposal_id: Id, payload: RespondIn) -> dict:
    viewer = viewer_of(request)
    proposal = get_proposal_for(viewer, proposal_id)
    actions.respond(viewer, proposal=proposal, answer=payload.answer, reason=payload.reason)
    return proposal_out(viewer, proposal)


@router.post("/proposals/{proposal_id}/close", response=DecisionOut, summary="Close my proposal with its outcome")
def close_proposal(request: HttpRequest, proposal_id: Id, payload: CloseIn) -> dict:
    return _close(request, get_proposal_for, proposal_id, payload.outcome)


@router.get("/proposals/{proposal_id}/not-voted", response=list[AuthorOut], summary="Members who have not answered")
def proposal_not_voted(request: HttpRequest, proposal_id: Id) -> list[dict]:
    return _not_voted(request, get_proposal_for, proposal_id)


# What closing and the not-voted list do the same way for a poll and a proposal: `item_for` finds
# the one asked for among those the viewer may see.
VoteFor = Callable[[User, int], Poll | Proposal]


def _close(request: HttpRequest, item_for: VoteFor, item_id: int, outcome: str) -> dict:
    viewer = viewer_of(request)
    return decision_out(actions.close_vote(viewer, item=item_for(viewer, item_id), outcome=outcome))


def _not_voted(request: HttpRequest, item_for: VoteFor, item_id: int) -> list[dict]:
    viewer = viewer_of(request)
    return [_person(u) for u in selectors.who_has_not_voted(viewer, item_for(viewer, item_id))]


# --- decisions -----------------------------------------------------------------------------


@router.get("/spaces/{space_id}/decisions", response=list[DecisionOut], summary="A space's decision log, newest first")
def space_decisions(request: HttpRequest, space_id: Id) -> list[dict]:
    viewer = viewer_of(request)
    space = get_space_for(viewer, space_id)
    return [decision_out(d) for d in selectors.space_decisions(viewer, space)[:200]]


@router.get("/decisions", response=list[DecisionOut], summary="Key decisions of the spaces I can see")
def key_decisions(request: HttpRequest, query: Query[DecisionQuery]) -> list[dict]:
    viewer = viewer_of(request)
    rows = selectors.key_decisions(viewer, space_id=query.space_id, since=query.since, until=query.until)
    return [decision_out(d) for d in rows[:200]]


@router.get("/decisions/{decision_id}", response=DecisionOut, summary="One decision")
def get_decision(request: HttpRequest, decision_id: Id) -> dict:
    return decision_out(get_decision_for(viewer_of(request), decision_id))


@router.patch("/decisions/{decision_id}", response=DecisionOut, summary="Write the outcome (author of the vote)")
def write_outcome(request: HttpRequest, decision_id: Id, payload: OutcomeIn) -> dict:
    viewer = viewer_of(request)
    decision = actions.write_outcome(viewer, decision=get_decision_for(viewer, decision_id), outcome=payload.outcome)
    return decision_out(decision)


@router.get("/awaiting-my-vote", response=list[AwaitingItemOut], summary="Open votes in my spaces I have not answered")
def awaiting_my_vote(request: HttpRequest) -> list[dict]:
    viewer = viewer_of(request)
    waiting = selectors.awaiting_my_vote(viewer)
    items = [
        {"kind": "poll", "id": p.pk, "post_id": p.post_id, "space": _space(p.space),
         "title": p.question, "closes_at": p.closes_at}
        for p in waiting.polls
    ] + [
        {"kind": "proposal", "id": p.pk, "post_id": p.post_id, "space": _space(p.space),
         "title": p.statement[:200], "closes_at": p.closes_at}
        for p in waiting.proposals
    ]  # fmt: skip
    return sorted(items, key=lambda item: item["closes_at"])
