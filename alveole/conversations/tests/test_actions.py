from __future__ import annotations

import pytest
from django.test.utils import override_settings

from alveole.conversations import actions
from alveole.conversations.access import conversations_of, get_conversation_for
from alveole.conversations.models import Conversation, Message, Participant
from alveole.conversations.selectors import inbox, unread_count
from alveole.core.errors import Invalid, NotFound, PermissionDenied
from alveole.factories import UserFactory
from alveole.live.models import Event
from alveole.testing import World


def test_start_and_send_reaches_only_the_participants(world: World) -> None:
    conversation, created = actions.start_conversation(
        world.member, people_ids=[world.nonmember.pk], body="Hello **you**"
    )
    assert created
    message = Message.objects.get(conversation=conversation)
    assert "<strong>you</strong>" in message.body_html
    assert unread_count(world.nonmember) == 1
    assert unread_count(world.member) == 0  # one's own message is read
    assert unread_count(world.owner) == 0
    sent = Event.objects.filter(type="conversation.message")
    assert {e.user_id for e in sent} == {world.member.pk, world.nonmember.pk}
    assert {e.data["unread"] for e in sent if e.user_id == world.nonmember.pk} == {1}
    # Owners and admins see every person, never someone else's conversation.
    for outsider in (world.owner, world.admin, world.other):
        with pytest.raises(NotFound):
            get_conversation_for(outsider, conversation.pk)


def test_a_one_to_one_conversation_is_reused(world: World) -> None:
    first, _ = actions.start_conversation(world.member, people_ids=[world.nonmember.pk])
    again, created = actions.start_conversation(world.nonmember, people_ids=[world.member.pk])
    assert again == first and not created
    group, created = actions.start_conversation(world.member, people_ids=[world.nonmember.pk, world.owner.pk])
    assert created and group != first
    assert Conversation.objects.count() == 2


def test_guest_writes_only_to_people_of_her_spaces(world: World) -> None:
    # The guest shares private_space with owner and member.
    conversation, _ = actions.start_conversation(world.guest, people_ids=[world.member.pk], body="Hi")
    assert conversation.pk
    with pytest.raises(NotFound):
        actions.start_conversation(world.guest, people_ids=[world.nonmember.pk], body="Hi")
    with pytest.raises(NotFound):
        actions.start_conversation(world.guest, people_ids=[world.admin.pk])
    assert not Message.objects.filter(author=world.guest).exclude(conversation=conversation).exists()


def test_a_guest_is_never_put_beside_someone_she_does_not_share_a_space_with(world: World) -> None:
    with pytest.raises(PermissionDenied):
        actions.start_conversation(world.member, people_ids=[world.guest.pk, world.nonmember.pk])
    assert not Conversation.objects.exists()


def test_never_another_organisation(world: World) -> None:
    with pytest.raises(NotFound):
        actions.start_conversation(world.owner, people_ids=[world.other.pk])
    with pytest.raises(NotFound):
        actions.start_conversation(world.other, people_ids=[world.owner.pk])
    assert not Conversation.objects.exists()


@override_settings(ALVEOLE_CONVERSATION_MAX_PEOPLE=3)
def test_at_most_the_configured_number_of_people(world: World) -> None:
    with pytest.raises(Invalid):
        actions.start_conversation(world.owner, people_ids=[world.member.pk, world.admin.pk, world.nonmember.pk])
    actions.start_conversation(world.owner, people_ids=[world.member.pk, world.admin.pk])


def test_edit_read_mute_leave(world: World) -> None:
    conversation, _ = actions.start_conversation(
        world.member, people_ids=[world.nonmember.pk], body="Hi @" + world.nonmember.handle
    )
    message = Message.objects.get()
    assert f'href="/people/{world.nonmember.pk}/"' in message.body_html
    with pytest.raises(PermissionDenied):
        actions.edit_message(world.nonmember, message=message, body="not mine")
    actions.edit_message(world.member, message=message, body="Edited")
    message.refresh_from_db()
    assert message.body == "Edited" and message.edited_at is not None
    assert [getattr(c, "unread", None) for c in inbox(world.nonmember)] == [1]
    actions.mark_read(world.nonmember, conversation=conversation)
    assert unread_count(world.nonmember) == 0
    assert [getattr(c, "unread", None) for c in inbox(world.nonmember)] == [0]
    actions.set_muted(world.nonmember, conversation=conversation, muted=True)
    actions.send_message(world.member, conversation=conversation, body="Again")
    assert unread_count(world.nonmember) == 0  # muted: not in the navigation's count
    assert [getattr(c, "unread", None) for c in inbox(world.nonmember)] == [1]  # but the inbox still says so
    actions.leave_conversation(world.nonmember, conversation=conversation)
    assert not conversations_of(world.nonmember).exists()
    with pytest.raises(NotFound):
        actions.send_message(world.nonmember, conversation=conversation, body="still here?")
    # Writing to them again opens the same conversation, with them back in it.
    again, created = actions.start_conversation(world.member, people_ids=[world.nonmember.pk])
    assert again == conversation and not created
    assert Participant.objects.filter(conversation=conversation, left_at__isnull=True).count() == 2


def test_a_deactivated_person_cannot_be_written_to(world: World) -> None:
    gone = UserFactory.create(organisation=world.org, is_active=False)
    with pytest.raises(NotFound):
        actions.start_conversation(world.owner, people_ids=[gone.pk])


def test_replies_are_one_level_deep(world: World) -> None:
    conversation, _ = actions.start_conversation(world.member, people_ids=[world.nonmember.pk], body="Root")
    root = Message.objects.get()
    reply = actions.send_message(world.nonmember, conversation=conversation, body="Reply", parent=root)
    deeper = actions.send_message(world.member, conversation=conversation, body="Deeper", parent=reply)
    assert reply.parent == root and deeper.parent == root
    other, _ = actions.start_conversation(world.member, people_ids=[world.owner.pk], body="Elsewhere")
    with pytest.raises(Invalid):
        actions.send_message(world.member, conversation=other, body="x", parent=root)
