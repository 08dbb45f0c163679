"""Every event validates against its schema, and applying them reaches what a fresh fetch shows."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from alveole.decisions import actions, events
from alveole.live.models import Event
from alveole.live.publish import LiveEvent

pytestmark = pytest.mark.django_db

SCHEMAS: dict[str, type[LiveEvent]] = {
    "poll.voted": events.PollVoted,
    "proposal.responded": events.ProposalResponded,
    "vote.closed": events.VoteClosed,
    "decision.recorded": events.DecisionRecorded,
}


def test_events_validate_and_match_a_fresh_fetch(world, api_client_for):
    soon = timezone.now() + datetime.timedelta(days=1)
    poll = actions.create_poll(world.owner, space=world.private_space, question="Day?", options=["Mon", "Tue"],
                               closes_at=soon)  # fmt: skip
    proposal = actions.create_proposal(world.owner, space=world.private_space, statement="Ship", closes_at=soon)
    mon, tue = poll.options.all()
    actions.vote(world.member, poll=poll, option_ids=[mon.pk])
    actions.vote(world.guest, poll=poll, option_ids=[tue.pk])
    actions.vote(world.member, poll=poll, option_ids=[tue.pk])
    actions.respond(world.member, proposal=proposal, answer="agree")
    actions.respond(world.guest, proposal=proposal, answer="block", reason="Not yet")
    actions.close_poll(world.owner, poll=poll, outcome="Tuesday")
    state: dict[str, dict] = {}
    for row in Event.objects.filter(type__in=SCHEMAS).order_by("seq"):
        assert row.audience == "space" and row.space_id == world.private_space.pk
        event = SCHEMAS[row.type].model_validate({"type": row.type, **row.data})
        state[row.type] = event.model_dump()
    fresh_poll = api_client_for(world.member).get(f"/api/v1/polls/{poll.pk}").json()
    assert state["poll.voted"]["counts"] == {str(o["id"]): o["count"] for o in fresh_poll["options"]}
    assert state["poll.voted"]["participants"] == fresh_poll["participants"] == 2
    fresh_proposal = api_client_for(world.member).get(f"/api/v1/proposals/{proposal.pk}").json()
    assert state["proposal.responded"]["counts"] == fresh_proposal["counts"]
    assert state["vote.closed"]["id"] == poll.pk
    assert state["decision.recorded"]["outcome"] == "Tuesday"
    assert state["decision.recorded"]["decision_id"] == fresh_poll["decision_id"]
