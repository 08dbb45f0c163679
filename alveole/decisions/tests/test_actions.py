"""Polls, proposals, closing and the decision log, through the actions and the API."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from alveole.core.errors import Conflict, Invalid, NotFound, PermissionDenied
from alveole.decisions import actions, jobs, selectors
from alveole.decisions.access import get_decision_for, get_poll_for
from alveole.decisions.models import Decision, Participation, Vote
from alveole.live.models import Event

pytestmark = pytest.mark.django_db


def soon(hours: float = 48) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=hours)


def make_poll(world, **kwargs):
    kwargs.setdefault("options", ["Monday", "Tuesday", "Wednesday"])
    kwargs.setdefault("closes_at", soon())
    return actions.create_poll(world.owner, space=world.private_space, question="Which day?", **kwargs)


def options(poll):
    return list(poll.options.all())


def test_a_poll_is_posted_to_the_feed(world):
    poll = make_poll(world)
    assert poll.post.space == world.private_space
    assert poll.post.body == "Which day?"
    assert poll.post.kind == "update"
    assert [o.label for o in options(poll)] == ["Monday", "Tuesday", "Wednesday"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"options": ["Only one"]}, "options"),
        ({"options": [str(n) for n in range(11)]}, "options"),
        ({"options": ["Same", "same"]}, "options"),
        ({"closes_at": timezone.now() - datetime.timedelta(minutes=1)}, "closes_at"),
        ({"closes_at": None}, "closes_at"),
    ],
)
def test_a_poll_needs_two_to_ten_options_and_a_future_close(world, kwargs, field):
    with pytest.raises(Invalid) as exc:
        make_poll(world, **kwargs)
    assert field in exc.value.fields


def test_only_people_who_can_see_the_space_vote(world):
    poll = make_poll(world)
    first = options(poll)[0]
    actions.vote(world.guest, poll=get_poll_for(world.guest, poll.pk), option_ids=[first.pk])
    for outsider in (world.nonmember, world.admin, world.other):
        with pytest.raises(NotFound):
            get_poll_for(outsider, poll.pk)


def test_a_vote_can_be_changed_before_the_close(world):
    poll = make_poll(world)
    monday, tuesday, _ = options(poll)
    actions.vote(world.member, poll=poll, option_ids=[monday.pk])
    actions.vote(world.member, poll=poll, option_ids=[tuesday.pk])
    assert selectors.my_choices(world.member, poll) == [tuesday.pk]
    assert selectors.option_counts(poll) == {monday.pk: 0, tuesday.pk: 1, options(poll)[2].pk: 0}
    with pytest.raises(Invalid):
        actions.vote(world.member, poll=poll, option_ids=[monday.pk, tuesday.pk])  # single choice


def test_multiple_choice(world):
    poll = make_poll(world, multiple=True)
    monday, tuesday, _ = options(poll)
    actions.vote(world.member, poll=poll, option_ids=[monday.pk, tuesday.pk])
    assert sorted(selectors.my_choices(world.member, poll) or []) == [monday.pk, tuesday.pk]
    assert selectors.participant_count(poll) == 1


def test_no_vote_after_the_close(world):
    poll = make_poll(world)
    actions.close_poll(world.owner, poll=poll, outcome="Monday it is")
    with pytest.raises(Conflict):
        actions.vote(world.member, poll=poll, option_ids=[options(poll)[0].pk])


def test_anonymous_votes_are_final_and_tied_to_no_one(world):
    poll = make_poll(world, anonymous=True)
    monday = options(poll)[0]
    actions.vote(world.member, poll=poll, option_ids=[monday.pk])
    with pytest.raises(Conflict, match="final"):
        actions.vote(world.member, poll=poll, option_ids=[options(poll)[1].pk])
    assert not Vote.objects.filter(poll=poll).exists()
    assert Participation.objects.filter(poll=poll, user=world.member).exists()
    assert selectors.option_counts(poll)[monday.pk] == 1
    assert selectors.my_choices(world.member, poll) is None
    assert selectors.voters_by_option(poll) == {}


def test_hidden_results_publish_only_the_number_of_participants(world):
    poll = make_poll(world, hide_results_until_closed=True)
    actions.vote(world.member, poll=poll, option_ids=[options(poll)[0].pk])
    event = Event.objects.filter(type="poll.voted").latest("seq")
    assert event.data["counts"] is None
    assert event.data["participants"] == 1
    actions.close_poll(world.owner, poll=poll, outcome="Monday")
    event = Event.objects.filter(type="poll.voted").latest("seq")
    assert event.data["counts"] == {str(options(poll)[0].pk): 1, str(options(poll)[1].pk): 0,
                                    str(options(poll)[2].pk): 0}  # fmt: skip
    assert Event.objects.filter(type="vote.closed").exists()
    assert Event.objects.filter(type="decision.recorded").exists()


def test_a_block_needs_a_reason_and_answers_can_change(world):
    proposal = actions.create_proposal(world.owner, space=world.private_space, statement="Ship Friday",
                                       closes_at=soon())  # fmt: skip
    with pytest.raises(Invalid) as exc:
        actions.respond(world.member, proposal=proposal, answer="block")
    assert "reason" in exc.value.fields
    with pytest.raises(Invalid):
        actions.respond(world.member, proposal=proposal, answer="maybe")
    actions.respond(world.member, proposal=proposal, answer="block", reason="QA is not done")
    actions.respond(world.member, proposal=proposal, answer="agree")
    assert selectors.answer_counts(proposal) == {"agree": 1, "abstain": 0, "disagree": 0, "block": 0}


def test_quorum_is_a_share_of_the_space_members(world):
    # private_space has three members: owner, member, guest.
    with pytest.raises(Invalid):
        actions.create_proposal(world.owner, space=world.private_space, statement="x", closes_at=soon(), quorum=101)
    proposal = actions.create_proposal(world.owner, space=world.private_space, statement="x", closes_at=soon(),
                                       quorum=60)  # fmt: skip
    actions.respond(world.member, proposal=proposal, answer="agree")
    tallies = selectors.proposal_tallies(proposal)
    assert tallies["members"] == 3 and tallies["participants"] == 1 and not tallies["quorum_met"]
    actions.respond(world.guest, proposal=proposal, answer="agree")
    tallies = selectors.proposal_tallies(proposal)
    assert tallies["quorum_met"] and tallies["accepted"]
    decision = actions.close_proposal(world.owner, proposal=proposal, outcome="We ship")
    assert decision.tallies["quorum_met"] is True
    assert decision.tallies["counts"]["agree"] == 2


def test_closing_by_hand_needs_an_outcome_and_the_author(world):
    poll = make_poll(world)
    with pytest.raises(PermissionDenied):
        actions.close_poll(world.member, poll=poll, outcome="Mine")
    with pytest.raises(Invalid):
        actions.close_poll(world.owner, poll=poll, outcome="  ")
    decision = actions.close_poll(world.owner, poll=poll, outcome="Monday")
    assert decision.decided_by == world.owner
    assert decision.post_id == poll.post_id
    assert decision.title == "Which day?"
    assert [o["label"] for o in decision.tallies["options"]] == ["Monday", "Tuesday", "Wednesday"]
    with pytest.raises(Conflict):
        actions.close_poll(world.owner, poll=poll, outcome="Again")


def test_the_deadline_closes_and_the_author_writes_the_outcome_later(world):
    poll = make_poll(world, closes_at=soon(1))
    proposal = actions.create_proposal(world.owner, space=world.private_space, statement="x", closes_at=soon(1))
    assert actions.close_due(timezone.now()) == []
    decisions = actions.close_due(timezone.now() + datetime.timedelta(hours=2))
    assert len(decisions) == 2
    poll.refresh_from_db()
    proposal.refresh_from_db()
    assert poll.closed_at and proposal.closed_at
    decision = Decision.objects.get(poll=poll)
    assert decision.outcome == "Closed at the deadline" and decision.outcome_pending
    assert decision.decided_by is None
    with pytest.raises(PermissionDenied):
        actions.write_outcome(world.member, decision=decision, outcome="No")
    actions.write_outcome(world.owner, decision=decision, outcome="Tuesday, by a short margin")
    decision.refresh_from_db()
    assert not decision.outcome_pending and decision.outcome == "Tuesday, by a short margin"
    assert actions.close_due(timezone.now() + datetime.timedelta(hours=3)) == []


def test_decision_logs_are_newest_first_and_scoped(world):
    first = actions.close_poll(world.owner, poll=make_poll(world), outcome="One")
    second = actions.close_poll(world.owner, poll=make_poll(world), outcome="Two")
    assert list(selectors.space_decisions(world.member, world.private_space)) == [second, first]
    assert list(selectors.key_decisions(world.nonmember)) == []
    with pytest.raises(NotFound):
        get_decision_for(world.nonmember, first.pk)
    with pytest.raises(NotFound):
        get_decision_for(world.other, first.pk)


def test_key_decisions_filter_by_space_and_period(world):
    in_private = actions.close_poll(world.owner, poll=make_poll(world), outcome="Private")
    open_poll = actions.create_poll(world.owner, space=world.open_space, question="Open?", options=["a", "b"],
                                    closes_at=soon())  # fmt: skip
    in_open = actions.close_poll(world.owner, poll=open_poll, outcome="Open")
    Decision.objects.filter(pk=in_private.pk).update(decided_at=timezone.now() - datetime.timedelta(days=40))
    today = timezone.localdate()
    assert list(selectors.key_decisions(world.owner)) == [in_open, in_private]
    assert list(selectors.key_decisions(world.owner, space_id=world.private_space.pk)) == [in_private]
    assert list(selectors.key_decisions(world.owner, since=today - datetime.timedelta(days=7))) == [in_open]
    assert list(selectors.key_decisions(world.owner, until=today - datetime.timedelta(days=7))) == [in_private]
    assert list(selectors.key_decisions(world.owner, since=today, until=today)) == [in_open]
    assert list(selectors.key_decisions(world.nonmember)) == [in_open]  # cannot see the private space


def test_awaiting_my_vote(world):
    poll = make_poll(world)
    proposal = actions.create_proposal(world.owner, space=world.private_space, statement="x", closes_at=soon())
    waiting = selectors.awaiting_my_vote(world.guest)
    assert waiting.polls == [poll] and waiting.proposals == [proposal]
    actions.vote(world.guest, poll=poll, option_ids=[options(poll)[0].pk])
    actions.respond(world.guest, proposal=proposal, answer="abstain")
    waiting = selectors.awaiting_my_vote(world.guest)
    assert waiting.polls == [] and waiting.proposals == []
    assert selectors.awaiting_my_vote(world.nonmember).polls == []


def test_who_has_not_voted(world):
    poll = make_poll(world)
    actions.vote(world.member, poll=poll, option_ids=[options(poll)[0].pk])
    assert set(selectors.not_voted_in_poll(poll)) == {world.owner, world.guest}


def test_reminders_go_once_to_those_who_have_not_voted(world, settings):
    settings.ALVEOLE_VOTE_REMINDER_HOURS = 24
    from alveole.notifications.models import Notification

    poll = make_poll(world, closes_at=soon(30))
    actions.vote(world.member, poll=poll, option_ids=[options(poll)[0].pk])
    assert jobs.remind() == 0  # not yet within 24 hours
    later = timezone.now() + datetime.timedelta(hours=10)
    assert jobs.remind(later) == 1  # the guest; the owner is the author, the member voted
    assert Notification.objects.filter(user=world.guest, post=poll.post, kind=jobs.REMINDER_KIND).count() == 1
    assert jobs.remind(later) == 0


def test_open_deadlines_for_the_calendar(world):
    poll = make_poll(world)
    proposal = actions.create_proposal(world.owner, space=world.private_space, statement="x", closes_at=soon())
    ids = {item["id"] for item in selectors.open_deadlines_for(world.guest)}
    assert ids == {f"poll-{poll.pk}", f"proposal-{proposal.pk}"}
    assert selectors.open_deadlines_for(world.nonmember) == []
