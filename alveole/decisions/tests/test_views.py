"""Decision pages: the cards in the feed (fixed query count), voting by plain POST, closing,
the logs, and anonymity on every page."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alveole.decisions import actions
from alveole.decisions.models import Decision, Poll, Response
from alveole.feed.actions import create_post

pytestmark = pytest.mark.django_db


def soon() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=2)


def add_votes(world, n: int, start: int = 0) -> None:
    """n posts in the open space: polls (named, anonymous, hidden results), proposals and plain posts."""
    for i in range(start, start + n):
        kind = i % 4
        if kind == 3:
            create_post(world.owner, space=world.open_space, body=f"Plain {i}")
        elif kind == 2:
            proposal = actions.create_proposal(world.owner, space=world.open_space, statement=f"P{i}", closes_at=soon())
            actions.respond(world.member, proposal=proposal, answer="agree")
        else:
            poll = actions.create_poll(world.owner, space=world.open_space, question=f"Q{i}", options=["a", "b", "c"],
                                       closes_at=soon(), anonymous=kind == 1,
                                       hide_results_until_closed=i % 8 == 0)  # fmt: skip
            actions.vote(world.member, poll=poll, option_ids=[poll.options.all()[0].pk])


def count(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


@pytest.mark.parametrize("page", ["home", "space"])
def test_a_feed_page_with_polls_costs_the_same_for_5_and_30_posts(world, client_for, page):
    client = client_for(world.member)
    url = "/" if page == "home" else f"/spaces/{world.open_space.pk}/"
    add_votes(world, 5)
    client.get(url)  # warm the session and the per-minute writes
    small, html = count(client, url)
    assert html.count('class="vote-card') == 4
    add_votes(world, 25, start=5)
    large, html = count(client, url)
    assert html.count('class="vote-card') >= 20
    assert small == large, (small, large)


def test_voting_and_answering_by_plain_post(world, client_for):
    poll = actions.create_poll(world.owner, space=world.private_space, question="Day?", options=["Mon", "Tue"],
                               closes_at=soon())  # fmt: skip
    tue = poll.options.all()[1]
    client = client_for(world.guest)
    response = client.post(f"/polls/{poll.pk}/vote/", {"option": [tue.pk], "next": "/"})
    assert response.status_code == 302
    assert poll.votes.get().user == world.guest
    proposal = actions.create_proposal(world.owner, space=world.private_space, statement="Ship", closes_at=soon())
    client.post(f"/proposals/{proposal.pk}/respond/", {"answer": "block"})
    assert not Response.objects.exists()  # a block needs a reason
    client.post(f"/proposals/{proposal.pk}/respond/", {"answer": "block", "reason": "Not tested"})
    assert Response.objects.get().answer == "block"
    page = client.get(f"/spaces/{world.private_space.pk}/").content.decode()
    assert "Change my vote" in page and "Change my answer" in page


def test_new_poll_and_proposal_pages(world, client_for):
    client = client_for(world.member)
    when = (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    data = {"question": "Lunch?", "options": "Pizza\nSoup", "closes_at": when, "anonymous": "on"}
    response = client.post(f"/spaces/{world.private_space.pk}/polls/new/", data)
    assert response.status_code == 302
    poll = Poll.objects.get()
    assert poll.anonymous and poll.post.space == world.private_space
    response = client.post(f"/spaces/{world.private_space.pk}/polls/new/",
                           {"question": "Lunch?", "options": "Pizza", "closes_at": when})  # fmt: skip
    assert response.status_code == 400
    assert "between 2 and 10" in response.content.decode()
    response = client.post(f"/spaces/{world.private_space.pk}/proposals/new/",
                           {"statement": "Move to Thursdays", "closes_at": when, "quorum": "50"})  # fmt: skip
    assert response.status_code == 302


def test_closing_with_the_outcome_records_the_decision(world, client_for):
    poll = actions.create_poll(world.owner, space=world.private_space, question="Day?", options=["Mon", "Tue"],
                               closes_at=soon())  # fmt: skip
    client = client_for(world.owner)
    assert client.post(f"/polls/{poll.pk}/close/", {"outcome": ""}).status_code == 400
    response = client.post(f"/polls/{poll.pk}/close/", {"outcome": "Monday it is"})
    decision = Decision.objects.get()
    assert response["Location"] == f"/decisions/{decision.pk}/"
    log = client_for(world.guest).get(f"/spaces/{world.private_space.pk}/decisions/").content.decode()
    assert "Monday it is" in log
    assert "Monday it is" in client_for(world.member).get("/decisions/").content.decode()
    assert "Monday it is" not in client_for(world.nonmember).get("/decisions/").content.decode()


def test_key_decisions_page_filters(world, client_for):
    first = actions.close_poll(world.owner, outcome="Old one", poll=actions.create_poll(
        world.owner, space=world.private_space, question="Old?", options=["a", "b"], closes_at=soon()))  # fmt: skip
    Decision.objects.filter(pk=first.pk).update(decided_at=timezone.now() - datetime.timedelta(days=60))
    actions.close_poll(world.owner, outcome="New one", poll=actions.create_poll(
        world.owner, space=world.open_space, question="New?", options=["a", "b"], closes_at=soon()))  # fmt: skip
    client = client_for(world.owner)
    since = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()
    page = client.get(f"/decisions/?since={since}").content.decode()
    assert "New one" in page and "Old one" not in page
    page = client.get(f"/decisions/?space={world.private_space.pk}").content.decode()
    assert "Old one" in page and "New one" not in page


def test_no_page_ties_an_anonymous_vote_to_a_voter(world, client_for):
    poll = actions.create_poll(world.owner, space=world.private_space, question="Raise prices?",
                               options=["Yes", "No"], anonymous=True, closes_at=soon())  # fmt: skip
    actions.vote(world.member, poll=poll, option_ids=[poll.options.all()[0].pk])
    pages = [f"/spaces/{world.private_space.pk}/", f"/posts/{poll.post_id}/", f"/polls/{poll.pk}/close/"]
    for url in pages:
        html = client_for(world.owner).get(url).content.decode()
        assert world.member.full_name not in html, url
        assert "your choice" not in html
    member_view = client_for(world.member).get(f"/posts/{poll.post_id}/").content.decode()
    assert "Anonymous votes are final" in member_view
    assert "your choice" not in member_view and " checked" not in member_view
    decision = actions.close_poll(world.owner, poll=poll, outcome="Yes")
    html = client_for(world.owner).get(f"/decisions/{decision.pk}/").content.decode()
    assert world.member.full_name not in html


def test_the_post_page_shows_named_answers_and_the_author_sees_named_votes(world, client_for):
    proposal = actions.create_proposal(world.owner, space=world.private_space, statement="Ship", closes_at=soon())
    actions.respond(world.guest, proposal=proposal, answer="block", reason="QA first")
    html = client_for(world.member).get(f"/posts/{proposal.post_id}/").content.decode()
    assert world.guest.full_name in html and "QA first" in html
    poll = actions.create_poll(world.owner, space=world.private_space, question="Day?", options=["Mon", "Tue"],
                               closes_at=soon())  # fmt: skip
    actions.vote(world.guest, poll=poll, option_ids=[poll.options.all()[0].pk])
    assert world.guest.full_name in client_for(world.owner).get(f"/posts/{poll.post_id}/").content.decode()
    assert world.guest.full_name not in client_for(world.member).get(f"/posts/{poll.post_id}/").content.decode()
