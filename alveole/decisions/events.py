"""The live events the decisions app emits, to the readers of the space (see alveole.live).

Anonymous polls never publish per-option counts: the durable event log is numbered and
timed, so counts changing one ballot at a time could be matched to who voted when.
Clients refetch the poll when they see `poll.voted` without counts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from alveole.live.publish import LiveEvent


class PollVoted(LiveEvent):
    type: Literal["poll.voted"] = "poll.voted"
    poll_id: int
    post_id: int
    participants: int
    counts: dict[str, int] | None  # option id -> count; None while results are hidden (or anonymous)


class ProposalResponded(LiveEvent):
    type: Literal["proposal.responded"] = "proposal.responded"
    proposal_id: int
    post_id: int
    participants: int
    counts: dict[str, int]  # answer -> count


class VoteClosed(LiveEvent):
    type: Literal["vote.closed"] = "vote.closed"
    kind: Literal["poll", "proposal"]
    id: int
    post_id: int
    closed_at: datetime


class DecisionRecorded(LiveEvent):
    type: Literal["decision.recorded"] = "decision.recorded"
    decision_id: int
    space_id: int
    post_id: int | None
    title: str
    outcome: str
    outcome_pending: bool
    decided_at: datetime
