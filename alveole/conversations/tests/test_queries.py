from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from alveole.conversations import actions
from alveole.factories import UserFactory
from alveole.testing import World


def _count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_inbox_and_a_conversation_take_a_fixed_number_of_queries(world: World, client_for) -> None:
    conversation, _ = actions.start_conversation(world.member, people_ids=[world.nonmember.pk], body="One")
    noah = client_for(world.nonmember)
    noah.get("/messages/")  # warm the session
    inbox, page = _count(noah, "/messages/"), _count(noah, f"/messages/{conversation.pk}/")
    for i in range(5):
        someone = UserFactory.create(organisation=world.org)
        actions.start_conversation(someone, people_ids=[world.nonmember.pk, world.member.pk], body=f"Hello {i}")
        actions.send_message(world.member, conversation=conversation, body=f"Again {i}")
    assert _count(noah, "/messages/") == inbox
    # Opening marks read (its writes and one event) only when something is unread, as the first time.
    assert _count(noah, f"/messages/{conversation.pk}/") == page
