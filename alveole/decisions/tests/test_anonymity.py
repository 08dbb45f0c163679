"""Acceptance: an anonymous poll's votes cannot be tied to voters through any page, API answer,
export or the database's vote table."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from alveole.core.models import AuditEvent
from alveole.decisions import actions
from alveole.decisions.models import AnonymousTally, Participation, Vote
from alveole.live.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymous_poll(world):
    poll = actions.create_poll(world.owner, space=world.private_space, question="Raise prices?",
                               options=["Yes", "No"], anonymous=True,
                               closes_at=timezone.now() + datetime.timedelta(days=1))  # fmt: skip
    yes, no = poll.options.all()
    actions.vote(world.member, poll=poll, option_ids=[yes.pk])
    actions.vote(world.guest, poll=poll, option_ids=[no.pk])
    return poll


def test_no_table_ties_a_person_to_an_option(anonymous_poll):
    tally_columns = {f.column for f in AnonymousTally._meta.concrete_fields}
    assert tally_columns == {"id", "poll_id", "option_id", "count"}  # no user, no time
    participation_columns = {f.column for f in Participation._meta.concrete_fields}
    assert participation_columns == {"id", "poll_id", "user_id"}  # no option, no time
    assert not Vote.objects.filter(poll=anonymous_poll).exists()
    assert sorted(AnonymousTally.objects.filter(poll=anonymous_poll).values_list("count", flat=True)) == [1, 1]


def test_no_audit_row_or_live_event_carries_a_choice(world, anonymous_poll):
    assert not AuditEvent.objects.filter(actor__in=[world.member, world.guest]).exists()
    for event in Event.objects.filter(type="poll.voted"):
        assert event.data["counts"] is None
        assert "user" not in json.dumps(event.data)


def test_the_api_never_says_who_chose_what(world, anonymous_poll, api_client_for):
    member_ids = {world.member.pk, world.guest.pk}
    for user in (world.owner, world.member, world.guest):
        body = api_client_for(user).get(f"/api/v1/polls/{anonymous_poll.pk}").json()
        assert body["my_choices"] is None
        assert all(option["voters"] is None for option in body["options"])
        assert [o["count"] for o in body["options"]] == [1, 1]
        people = {v["id"] for o in body["options"] for v in (o["voters"] or [])}
        assert not people & member_ids
    answer = api_client_for(world.member).get(f"/api/v1/polls/{anonymous_poll.pk}").json()
    assert answer["has_voted"] is True and answer["can_change_vote"] is False
    # Not even who has (not) voted.
    response = api_client_for(world.owner).get(f"/api/v1/polls/{anonymous_poll.pk}/not-voted")
    assert response.status_code == 403
    changed = api_client_for(world.member).post(
        f"/api/v1/polls/{anonymous_poll.pk}/vote",
        data={"option_ids": [answer["options"][1]["id"]]},
        content_type="application/json",
    )
    assert changed.status_code == 409
    assert "final" in changed.json()["message"]


def test_the_decision_export_has_counts_only(world, anonymous_poll, api_client_for):
    decision = actions.close_poll(world.owner, poll=anonymous_poll, outcome="No change")
    body = api_client_for(world.owner).get(f"/api/v1/decisions/{decision.pk}").json()
    assert body["tallies"] == {
        "options": [{"id": o.pk, "label": o.label, "count": 1} for o in anonymous_poll.options.all()],
        "participants": 2,
    }
    text = json.dumps(body)
    assert world.member.full_name not in text and world.guest.full_name not in text


def test_named_polls_show_the_author_who_voted_what(world, api_client_for):
    poll = actions.create_poll(world.owner, space=world.private_space, question="Lunch?", options=["Pizza", "Soup"],
                               closes_at=timezone.now() + datetime.timedelta(days=1))  # fmt: skip
    pizza = poll.options.all()[0]
    actions.vote(world.member, poll=poll, option_ids=[pizza.pk])
    author_view = api_client_for(world.owner).get(f"/api/v1/polls/{poll.pk}").json()
    assert [v["id"] for v in author_view["options"][0]["voters"]] == [world.member.pk]
    member_view = api_client_for(world.member).get(f"/api/v1/polls/{poll.pk}").json()
    assert member_view["options"][0]["voters"] is None
    assert member_view["my_choices"] == [pizza.pk]
    not_voted = api_client_for(world.owner).get(f"/api/v1/polls/{poll.pk}/not-voted").json()
    assert {p["id"] for p in not_voted} == {world.owner.pk, world.guest.pk}


def test_hidden_results_stay_hidden_until_the_close(world, api_client_for):
    poll = actions.create_poll(world.owner, space=world.private_space, question="Lunch?", options=["Pizza", "Soup"],
                               hide_results_until_closed=True,
                               closes_at=timezone.now() + datetime.timedelta(days=1))  # fmt: skip
    pizza = poll.options.all()[0]
    actions.vote(world.member, poll=poll, option_ids=[pizza.pk])
    body = api_client_for(world.member).get(f"/api/v1/polls/{poll.pk}").json()
    assert body["results_visible"] is False
    assert [o["count"] for o in body["options"]] == [None, None]
    assert body["my_choices"] == [pizza.pk] and body["participants"] == 1
    actions.close_poll(world.owner, poll=poll, outcome="Pizza")
    body = api_client_for(world.member).get(f"/api/v1/polls/{poll.pk}").json()
    assert [o["count"] for o in body["options"]] == [1, 0]
