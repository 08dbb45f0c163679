from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field

from alveole.core.bounds import Id, UserDate, UserDateTime
from alveole.feed.schemas import AuthorOut, SpaceRefOut


class PollIn(Schema):
    question: str
    options: list[str] = Field(description="2 to 10 choices")
    closes_at: UserDateTime = Field(description="in the future")
    multiple: bool = False
    hide_results_until_closed: bool = False
    anonymous: bool = Field(False, description="nobody, the author included, can see who chose what; votes are final")


class OptionOut(Schema):
    id: int
    label: str
    count: int | None = Field(description="null while the results are hidden")
    voters: list[AuthorOut] | None = Field(description="the author of a non-anonymous poll only; null otherwise")


class PollOut(Schema):
    id: int
    post_id: int
    space: SpaceRefOut
    author: AuthorOut
    question: str
    multiple: bool
    anonymous: bool
    hide_results_until_closed: bool
    closes_at: datetime
    closed: bool
    results_visible: bool
    participants: int
    options: list[OptionOut]
    has_voted: bool
    my_choices: list[int] | None = Field(description="null in anonymous polls: choices are not kept per person")
    can_change_vote: bool = Field(description="false in anonymous polls once voted: anonymous votes are final")
    decision_id: int | None


class VoteIn(Schema):
    option_ids: list[Id]


class ProposalIn(Schema):
    statement: str
    closes_at: UserDateTime = Field(description="in the future")
    quorum: int | None = Field(None, description="share (0-100 %) of the space's members who must answer")


class ResponseOut(Schema):
    user: AuthorOut
    answer: str
    reason: str
    updated_at: datetime


class ProposalOut(Schema):
    id: int
    post_id: int
    space: SpaceRefOut
    author: AuthorOut
    statement: str
    closes_at: datetime
    closed: bool
    quorum: int | None
    members: int
    participants: int
    quorum_met: bool
    counts: dict[str, int] = Field(description="agree, abstain, disagree, block -> count")
    responses: list[ResponseOut]
    my_answer: str | None
    my_reason: str
    decision_id: int | None


class RespondIn(Schema):
    answer: str = Field(description="agree, abstain, disagree or block")
    reason: str = Field("", description="required for a block")


class CloseIn(Schema):
    outcome: str = Field(description="what was decided")


class OutcomeIn(Schema):
    outcome: str


class DecisionOut(Schema):
    id: int
    space: SpaceRefOut
    title: str
    outcome: str
    outcome_pending: bool = Field(description="closed at the deadline; the author has not written the outcome yet")
    kind: str = Field(description="poll or proposal")
    poll_id: int | None
    proposal_id: int | None
    tallies: dict
    post_id: int | None
    decided_at: datetime
    decided_by: AuthorOut | None


class DecisionQuery(Schema):
    space_id: Id | None = None
    since: UserDate | None = None
    until: UserDate | None = Field(None, description="inclusive")


class AwaitingItemOut(Schema):
    kind: str = Field(description="poll or proposal")
    id: int
    post_id: int
    space: SpaceRefOut
    title: str
    closes_at: datetime
