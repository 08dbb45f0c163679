"""Every change to polls, proposals, votes and decisions goes through here."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Literal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from alveole.accounts.models import User
from alveole.core import audit
from alveole.core.bounds import check_date, is_id
from alveole.core.errors import Conflict, Invalid, PermissionDenied
from alveole.feed import actions as feed_actions
from alveole.feed.access import hidden_readers, is_public
from alveole.feed.models import Post, PostKind
from alveole.live.models import Audience
from alveole.live.publish import LiveEvent, publish
from alveole.spaces.access import check_space_open_for_changes
from alveole.spaces.models import Space

from . import events, selectors, signals
from .models import (
    AnonymousTally,
    Answer,
    Decision,
    Participation,
    Poll,
    PollOption,
    Proposal,
    Response,
    Vote,
)

MIN_OPTIONS, MAX_OPTIONS = 2, 10
QUESTION_MAX = 500
OPTION_MAX = 200
REASON_MAX = 2000
OUTCOME_MAX = 5000
DEADLINE_OUTCOME = "Closed at the deadline"  # stored; translated when shown


def _emit(event: LiveEvent, space: Space, post: Post | None) -> None:
    """Tell the space, or, while the vote's post is held, refused or hidden, only those who still see
    it (feed.access.hidden_readers): its author and its moderators. Votes on such a post count, and
    it closes at its deadline, but nobody else hears of it (nor of its decision) until it is published."""
    if post is not None and not is_public(post):
        for user_id in hidden_readers(post):
            publish(event, organisation_id=space.organisation_id, audience=Audience.USER, user_id=user_id)
        return
    publish(event, organisation_id=space.organisation_id, audience=Audience.SPACE, space_id=space.pk)


def _check_closes_at(closes_at: datetime.datetime | None) -> datetime.datetime:
    if closes_at is None:
        raise Invalid(fields={"closes_at": _("Choose when the vote closes.")})
    # Before any time zone arithmetic: year 9999 overflows it (and every calendar feed after).
    check_date(closes_at, field="closes_at")
    if timezone.is_naive(closes_at):
        closes_at = timezone.make_aware(closes_at)
    if closes_at <= timezone.now():
        raise Invalid(fields={"closes_at": _("Choose a closing time in the future.")})
    return closes_at


def _check_outcome(outcome: str) -> str:
    outcome = (outcome or "").strip()
    if not outcome:
        raise Invalid(fields={"outcome": _("Write the outcome: what was decided.")})
    if len(outcome) > OUTCOME_MAX:
        raise Invalid(fields={"outcome": _("Keep the outcome under %(n)d characters.") % {"n": OUTCOME_MAX}})
    return outcome


def _open_vote(
    actor: User, space: Space, *, body: str, closes_at: datetime.datetime | None, errors: dict[str, str]
) -> tuple[Post, datetime.datetime]:
    """What a poll and a proposal share: every error at once (the caller's and the deadline's), then
    the post they live in, so that they appear in the feed and can be discussed."""
    try:
        closes_at = _check_closes_at(closes_at)
    except Invalid as exc:
        errors.update(exc.fields)
    if errors:
        raise Invalid(fields=errors)
    assert closes_at is not None
    post, _report = feed_actions.create_post(actor, space=space, body=body, kind=PostKind.UPDATE)
    return post, closes_at


def _lock_open(item: Poll | Proposal, *, closed: str) -> None:
    """Votes and answers change only while the space is open and the vote is not closed. Locking the
    row serialises them with each other and with the closing; `closed` is the refusal's sentence."""
    check_space_open_for_changes(item.space)
    item.closed_at = type(item).objects.select_for_update().values_list("closed_at", flat=True).get(pk=item.pk)
    if item.is_closed:
        raise Conflict(closed)


# --- polls ---------------------------------------------------------------------------


@transaction.atomic
def create_poll(
    actor: User,
    *,
    space: Space,
    question: str,
    options: Sequence[str],
    closes_at: datetime.datetime | None,
    multiple: bool = False,
    hide_results_until_closed: bool = False,
    anonymous: bool = False,
) -> Poll:
    question = (question or "").strip()
    errors: dict[str, str] = {}
    if not question:
        errors["question"] = _("Write the question.")
    elif len(question) > QUESTION_MAX:
        errors["question"] = _("Keep the question under %(n)d characters.") % {"n": QUESTION_MAX}
    labels = [o.strip() for o in options if o and o.strip()]
    if not MIN_OPTIONS <= len(labels) <= MAX_OPTIONS:
        errors["options"] = _("Give between %(min)d and %(max)d options.") % {"min": MIN_OPTIONS, "max": MAX_OPTIONS}
    elif len({label.casefold() for label in labels}) != len(labels):
        errors["options"] = _("Each option must be different.")
    elif any(len(label) > OPTION_MAX for label in labels):
        errors["options"] = _("Keep each option under %(n)d characters.") % {"n": OPTION_MAX}
    post, closes_at = _open_vote(actor, space, body=question, closes_at=closes_at, errors=errors)
    poll = Poll.objects.create(
        organisation_id=actor.org_id,
        space=space,
        post=post,
        author=actor,
        question=question,
        multiple=multiple,
        closes_at=closes_at,
        hide_results_until_closed=hide_results_until_closed,
        anonymous=anonymous,
    )
    created = PollOption.objects.bulk_create(
        [PollOption(poll=poll, label=label, position=i) for i, label in enumerate(labels)]
    )
    if anonymous:
        AnonymousTally.objects.bulk_create([AnonymousTally(poll=poll, option=o) for o in created])
    audit.record("poll.create", actor=actor, target=poll, label=question[:80], space=space.pk)
    signals.poll_created.send(Poll, poll_id=poll.pk)
    return poll


def _poll_voted(poll: Poll) -> events.PollVoted:
    participants = selectors.participant_count(poll)
    counts = None
    if poll.results_visible and not poll.anonymous:
        counts = {str(k): v for k, v in selectors.option_counts(poll).items()}
    return events.PollVoted(poll_id=poll.pk, post_id=poll.post_id, participants=participants, counts=counts)


@transaction.atomic
def vote(actor: User, *, poll: Poll, option_ids: Sequence[int]) -> Poll:
    """Vote, or change one's vote before the close. Anonymous votes are final."""
    _lock_open(poll, closed=_("This poll is closed."))
    chosen = list(dict.fromkeys(option_ids))
    if not chosen:
        raise Invalid(fields={"option_ids": _("Choose an option.")})
    if len(chosen) > 1 and not poll.multiple:
        raise Invalid(fields={"option_ids": _("Choose only one option.")})
    if not all(is_id(i) for i in chosen) or PollOption.objects.filter(poll=poll, pk__in=chosen).count() != len(chosen):
        raise Invalid(fields={"option_ids": _("Choose among this poll's options.")})
    already = Participation.objects.select_for_update().filter(poll=poll, user=actor).exists()
    if poll.anonymous:
        if already:
            raise Conflict(_("You have already voted. Anonymous votes are final."))
        Participation.objects.create(poll=poll, user=actor)
        AnonymousTally.objects.filter(poll=poll, option_id__in=chosen).update(count=F("count") + 1)
    else:
        if not already:
            Participation.objects.create(poll=poll, user=actor)
        Vote.objects.filter(poll=poll, user=actor).exclude(option_id__in=chosen).delete()
        Vote.objects.bulk_create([Vote(poll=poll, user=actor, option_id=pk) for pk in chosen], ignore_conflicts=True)
    # No audit row: an audit line with a time would tie a person to a count change.
    _emit(_poll_voted(poll), poll.space, poll.post)
    return poll


# --- proposals ------------------------------------------------------------------------


@transaction.atomic
def create_proposal(
    actor: User,
    *,
    space: Space,
    statement: str,
    closes_at: datetime.datetime | None,
    quorum: int | None = None,
) -> Proposal:
    statement = (statement or "").strip()
    errors: dict[str, str] = {}
    if not statement:
        errors["statement"] = _("Write what you propose.")
    if quorum is not None and not 0 <= quorum <= 100:
        errors["quorum"] = _("The quorum is a share between 0 and 100 %.")
    post, closes_at = _open_vote(actor, space, body=statement, closes_at=closes_at, errors=errors)
    proposal = Proposal.objects.create(
        organisation_id=actor.org_id,
        space=space,
        post=post,
        author=actor,
        statement=post.body,
        closes_at=closes_at,
        quorum=quorum,
    )
    audit.record("proposal.create", actor=actor, target=proposal, label=statement[:80], space=space.pk)
    return proposal


@transaction.atomic
def respond(actor: User, *, proposal: Proposal, answer: str, reason: str = "") -> Response:
    """Agree, abstain, disagree or block (a block needs a reason); change it until the close."""
    _lock_open(proposal, closed=_("This proposal is closed."))
    if answer not in Answer.values:
        raise Invalid(fields={"answer": _("Choose agree, abstain, disagree or block.")})
    reason = (reason or "").strip()
    if answer == Answer.BLOCK and not reason:
        raise Invalid(fields={"reason": _("Say why you block: a block needs a reason.")})
    if len(reason) > REASON_MAX:
        raise Invalid(fields={"reason": _("Keep the reason under %(n)d characters.") % {"n": REASON_MAX}})
    response, _created = Response.objects.update_or_create(
        proposal=proposal,
        user=actor,
        defaults={"answer": answer, "reason": reason, "updated_at": timezone.now()},
    )
    counts = selectors.answer_counts(proposal)
    _emit(
        events.ProposalResponded(
            proposal_id=proposal.pk, post_id=proposal.post_id, participants=sum(counts.values()), counts=counts
        ),
        proposal.space,
        proposal.post,
    )
    return response


# --- closing and decisions ------------------------------------------------------------------


def _record(
    *, space: Space, title: str, outcome: str, pending: bool, by: User | None, tallies: dict, post_id: int,
    poll: Poll | None = None, proposal: Proposal | None = None,
) -> Decision:  # fmt: skip
    decision = Decision.objects.create(
        organisation_id=space.organisation_id,
        space=space,
        title=title[:500],
        outcome=outcome,
        outcome_pending=pending,
        poll=poll,
        proposal=proposal,
        tallies=tallies,
        post_id=post_id,
        decided_by=by,
    )
    audit.record("decision.record", actor=by, organisation=space.organisation, target=decision,
                 label=decision.title[:80], space=space.pk)  # fmt: skip
    _announce(decision)
    return decision


def _announce(decision: Decision) -> None:
    """Tell the space a decision is recorded, or that its outcome is written."""
    _emit(
        events.DecisionRecorded(
            decision_id=decision.pk,
            space_id=decision.space_id,
            post_id=decision.post_id,
            title=decision.title,
            outcome=decision.outcome,
            outcome_pending=decision.outcome_pending,
            decided_at=decision.decided_at,
        ),
        decision.space,
        decision.post,
    )


def _close(item: Poll | Proposal, *, by: User | None, outcome: str, pending: bool) -> Decision:
    """Close a poll or a proposal (its row locked by the caller) and record its decision."""
    item.closed_at = timezone.now()
    item.save(update_fields=["closed_at"])
    kind: Literal["poll", "proposal"] = "poll" if isinstance(item, Poll) else "proposal"
    closed = events.VoteClosed(kind=kind, id=item.pk, post_id=item.post_id, closed_at=item.closed_at)
    _emit(closed, item.space, item.post)
    if isinstance(item, Poll):
        _emit(_poll_voted(item), item.space, item.post)  # the results, now visible
        return _record(space=item.space, title=item.question, outcome=outcome, pending=pending, by=by,
                       tallies=selectors.poll_tallies(item), post_id=item.post_id, poll=item)  # fmt: skip
    return _record(space=item.space, title=item.statement, outcome=outcome, pending=pending, by=by,
                   tallies=selectors.proposal_tallies(item), post_id=item.post_id, proposal=item)  # fmt: skip


def close_vote(actor: User, *, item: Poll | Proposal, outcome: str) -> Decision:
    """Its author closes a poll or a proposal with the outcome: what was decided."""
    if isinstance(item, Poll):
        return close_poll(actor, poll=item, outcome=outcome)
    return close_proposal(actor, proposal=item, outcome=outcome)


@transaction.atomic
def close_poll(actor: User, *, poll: Poll, outcome: str) -> Decision:
    return _close_by_author(actor, poll, outcome, denied=_("Only the author can close this poll."),
                            already=_("This poll is already closed."))  # fmt: skip


@transaction.atomic
def close_proposal(actor: User, *, proposal: Proposal, outcome: str) -> Decision:
    return _close_by_author(actor, proposal, outcome, denied=_("Only the author can close this proposal."),
                            already=_("This proposal is already closed."))  # fmt: skip


def _close_by_author(actor: User, item: Poll | Proposal, outcome: str, *, denied: str, already: str) -> Decision:
    if item.author_id != actor.pk:
        raise PermissionDenied(denied)
    outcome = _check_outcome(outcome)
    item = type(item).objects.select_for_update(of=("self",)).select_related("space", "post").get(pk=item.pk)
    if item.closed_at is not None:
        raise Conflict(already)
    return _close(item, by=actor, outcome=outcome, pending=False)


@transaction.atomic
def write_outcome(actor: User, *, decision: Decision, outcome: str) -> Decision:
    """The author of the vote writes (or corrects) the outcome statement after the close."""
    source = decision.poll or decision.proposal
    if source is None or source.author_id != actor.pk:
        raise PermissionDenied(_("Only the author of the vote can write its outcome."))
    decision.outcome = _check_outcome(outcome)
    decision.outcome_pending = False
    decision.decided_by = decision.decided_by or actor
    decision.save(update_fields=["outcome", "outcome_pending", "decided_by"])
    audit.record("decision.outcome", actor=actor, target=decision, label=decision.title[:80])
    _announce(decision)
    return decision


def close_due(now: datetime.datetime | None = None) -> list[Decision]:
    """Close every poll and proposal whose deadline has passed (the periodic job); one transaction each.

    A vote whose post is deleted is left alone (nobody may read it); one whose post is held, refused
    or hidden closes, told only to those who still see the post (_emit)."""
    now = now or timezone.now()
    decisions = []
    models: tuple[type[Poll] | type[Proposal], ...] = (Poll, Proposal)
    for model in models:
        due = model.objects.filter(closed_at__isnull=True, closes_at__lte=now, post__deleted_at__isnull=True)
        for pk in due.values_list("pk", flat=True):
            with transaction.atomic():
                item = model.objects.select_for_update(of=("self",)).select_related("space", "post").get(pk=pk)
                if item.closed_at is None:
                    decisions.append(_close(item, by=None, outcome=DEADLINE_OUTCOME, pending=True))
    return decisions
