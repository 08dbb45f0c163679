from __future__ import annotations

import json

from alveole.conversations import actions
from alveole.conversations.models import Message
from alveole.conversations.selectors import unread_count
from alveole.live.events import registry
from alveole.live.models import Audience, Event
from alveole.testing import World


def test_every_event_has_its_schema_and_goes_to_one_participant(world: World) -> None:
    conversation, _ = actions.start_conversation(world.member, people_ids=[world.nonmember.pk], body="Hi")
    message = Message.objects.get()
    actions.edit_message(world.member, message=message, body="Hello")
    actions.mark_read(world.nonmember, conversation=conversation)
    actions.set_muted(world.nonmember, conversation=conversation, muted=True)
    actions.delete_message(world.member, message=message)
    actions.leave_conversation(world.nonmember, conversation=conversation)
    schemas = registry()
    seen = set()
    for event in Event.objects.filter(organisation=world.org, type__startswith="conversation"):
        schemas[event.type].model_validate({"type": event.type, **event.data})
        assert event.audience == Audience.USER and event.user_id in {world.member.pk, world.nonmember.pk}
        seen.add(event.type)
    assert seen == {"conversation.message", "conversation.message_updated", "conversations.unread"}
    deleted = Event.objects.filter(type="conversation.message_updated").latest("seq")
    assert deleted.data["deleted"]
    # No text in the log: deleting a message leaves no copy of it there.
    assert all("Hello" not in json.dumps(e.data) and "Hi" not in json.dumps(e.data) for e in Event.objects.all())


def test_the_last_count_an_event_carries_is_the_count_a_fresh_fetch_gives(world: World) -> None:
    conversation, _ = actions.start_conversation(world.member, people_ids=[world.nonmember.pk], body="One")
    actions.send_message(world.member, conversation=conversation, body="Two")
    actions.start_conversation(world.owner, people_ids=[world.nonmember.pk], body="Three")

    def last_count() -> int:
        event = Event.objects.filter(user=world.nonmember, type__startswith="conversation").latest("seq")
        return event.data["unread"]

    assert last_count() == unread_count(world.nonmember) == 3
    actions.mark_read(world.nonmember, conversation=conversation)
    assert last_count() == unread_count(world.nonmember) == 1
