"""Who has not voted yet: one rule (`selectors.who_has_not_voted`) for the close page and the API."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from alveole.core.errors import PermissionDenied
from alveole.decisions import actions, selectors

pytestmark = pytest.mark.django_db


def soon() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=2)


def named_poll(world, **kwargs):
    return actions.create_poll(world.owner, space=world.private_space, question="Which day?",
                               options=["Monday", "Tuesday"], closes_at=soon(), **kwargs)  # fmt: skip


def test_the_author_sees_who_has_not_voted_by_name(world):
    poll = named_poll(world)
    actions.vote(world.member, poll=poll, option_ids=[poll.options.all()[0].pk])
    assert list(selectors.who_has_not_voted(world.owner, poll)) == [world.guest, world.owner]  # by name

    proposal = actions.create_proposal(world.owner, space=world.private_space, statement="Ship", closes_at=soon())
    actions.respond(world.guest, proposal=proposal, answer="agree")
    assert list(selectors.who_has_not_voted(world.owner, proposal)) == [world.member, world.owner]


def test_only_the_author_may_ask(world):
    poll = named_poll(world)
    proposal = actions.create_proposal(world.owner, space=world.private_space, statement="Ship", closes_at=soon())
    with pytest.raises(PermissionDenied, match="Only the author can see who has not voted"):
        selectors.who_has_not_voted(world.member, poll)
    with pytest.raises(PermissionDenied, match="Only the author can see who has not answered"):
        selectors.who_has_not_voted(world.member, proposal)


def test_an_anonymous_poll_names_nobody_but_still_reminds_everyone(world):
    poll = named_poll(world, anonymous=True)
    actions.vote(world.member, poll=poll, option_ids=[poll.options.all()[0].pk])
    with pytest.raises(PermissionDenied, match="anonymous"):
        selectors.who_has_not_voted(world.owner, poll)
    # The reminders still go to the people who have not voted: each is told only about themselves.
    assert set(selectors.not_voted(poll)) == {world.owner, world.guest}


def test_the_close_page_and_the_api_name_the_same_people(world, client_for, api_client_for):
    poll = named_poll(world)
    actions.vote(world.member, poll=poll, option_ids=[poll.options.all()[0].pk])
    api = api_client_for(world.owner).get(f"/api/v1/polls/{poll.pk}/not-voted")
    assert [p["full_name"] for p in api.json()] == ["Gina Guest", "Olivia Owner"]
    page = client_for(world.owner).get(f"/polls/{poll.pk}/close/").content.decode()
    assert "Not voted yet: Gina Guest, Olivia Owner" in page

    anonymous = named_poll(world, anonymous=True)
    assert api_client_for(world.owner).get(f"/api/v1/polls/{anonymous.pk}/not-voted").status_code == 403
    page = client_for(world.owner).get(f"/polls/{anonymous.pk}/close/")
    assert page.status_code == 200 and "Not voted yet" not in page.content.decode()
