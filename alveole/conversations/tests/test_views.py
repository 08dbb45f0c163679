from __future__ import annotations

from alveole.conversations import actions
from alveole.conversations.models import Conversation, Message
from alveole.conversations.selectors import unread_count
from alveole.testing import World


def test_message_button_starts_or_opens_the_conversation(world: World, client_for) -> None:
    mia = client_for(world.member)
    profile = mia.get(f"/people/{world.nonmember.pk}/").content.decode()
    assert 'action="/messages/new/"' in profile
    assert 'action="/messages/new/"' in mia.get("/people/").content.decode()
    started = mia.post("/messages/new/", {"person": world.nonmember.pk})
    conversation = Conversation.objects.get()
    assert started.status_code == 302 and started["Location"] == f"/messages/{conversation.pk}/"
    assert mia.post("/messages/new/", {"person": world.nonmember.pk})["Location"] == started["Location"]
    sent = mia.post(f"/messages/{conversation.pk}/send/", {"body": "Lunch at *noon*?"})
    assert sent.status_code == 302
    assert Message.objects.get().body_html == "<p>Lunch at <em>noon</em>?</p>\n"
    blank = mia.post(f"/messages/{conversation.pk}/send/", {"body": " "})
    assert blank.status_code == 400 and "Write something first." in blank.content.decode()


def test_the_navigation_counts_and_opening_reads(world: World, client_for) -> None:
    conversation, _ = actions.start_conversation(world.member, people_ids=[world.nonmember.pk], body="Hello")
    noah = client_for(world.nonmember)
    inbox = noah.get("/messages/").content.decode()
    assert "data-messages-count" in inbox and ">1</span>" in inbox
    assert world.member.full_name in inbox and "Hello" in inbox
    page = noah.get(f"/messages/{conversation.pk}/").content.decode()
    assert "Hello" in page
    assert unread_count(world.nonmember) == 0


def test_a_guest_has_no_button_for_people_outside_her_spaces(world: World, client_for) -> None:
    gina = client_for(world.guest)
    assert gina.get(f"/people/{world.nonmember.pk}/").status_code == 404
    people = gina.get("/people/").content.decode()
    assert world.nonmember.full_name not in people
    refused = gina.post("/messages/new/", {"person": world.nonmember.pk})
    assert refused.status_code == 404
    assert not Conversation.objects.exists()
    assert gina.post("/messages/new/", {"person": world.member.pk}).status_code == 302


def test_only_participants_open_a_conversation(world: World, client_for) -> None:
    conversation, _ = actions.start_conversation(world.member, people_ids=[world.nonmember.pk], body="Secret")
    for outsider in (world.owner, world.admin, world.guest, world.other):
        assert client_for(outsider).get(f"/messages/{conversation.pk}/").status_code == 404
        assert "Secret" not in client_for(outsider).get("/messages/").content.decode()


def test_a_threaded_reply_from_the_page(world: World, client_for) -> None:
    conversation, _ = actions.start_conversation(world.member, people_ids=[world.nonmember.pk], body="Question")
    root = Message.objects.get()
    noah = client_for(world.nonmember)
    page = noah.get(f"/messages/{conversation.pk}/?reply={root.pk}").content.decode()
    assert f'name="parent" value="{root.pk}"' in page and "Replying to Mia Member" in page
    noah.post(f"/messages/{conversation.pk}/send/", {"body": "Answer", "parent": root.pk})
    assert Message.objects.get(body="Answer").parent == root
    other, _ = actions.start_conversation(world.owner, people_ids=[world.nonmember.pk], body="Elsewhere")
    assert noah.get(f"/messages/{other.pk}/?reply={root.pk}").status_code == 200  # ignored there
    assert noah.get(f"/messages/{other.pk}/?reply=abc").status_code == 404


def test_write_to_a_few_people_from_the_new_message_page(world: World, client_for) -> None:
    gina = client_for(world.guest)
    page = gina.get("/messages/new/").content.decode()
    assert world.member.full_name in page and world.nonmember.full_name not in page  # only her spaces' people
    refused = gina.post("/messages/new/", {"person": [world.nonmember.pk], "body": "Hi"})
    assert refused.status_code == 400 and not Conversation.objects.exists()
    sent = gina.post("/messages/new/", {"person": [world.member.pk, world.owner.pk], "title": "Launch", "body": "Hi"})
    conversation = Conversation.objects.get()
    assert sent["Location"] == f"/messages/{conversation.pk}/" and conversation.title == "Launch"
    assert Message.objects.get().body == "Hi"
    mia = client_for(world.member)
    mixed = mia.post("/messages/new/", {"person": [world.guest.pk, world.nonmember.pk], "body": "Hi"})
    assert mixed.status_code == 403 and "does not share a space" in mixed.content.decode()


def test_edit_and_delete_my_message_from_the_page(world: World, client_for) -> None:
    conversation, _ = actions.start_conversation(world.member, people_ids=[world.nonmember.pk], body="Tpyo")
    message = Message.objects.get()
    mia, noah = client_for(world.member), client_for(world.nonmember)
    page = mia.get(f"/messages/{conversation.pk}/?edit={message.pk}").content.decode()
    assert f'action="/messages/message/{message.pk}/edit/"' in page and ">Tpyo</textarea>" in page
    assert f"/messages/message/{message.pk}/delete/" not in noah.get(f"/messages/{conversation.pk}/").content.decode()
    assert noah.post(f"/messages/message/{message.pk}/edit/", {"body": "Hacked"}).status_code == 403
    assert mia.post(f"/messages/message/{message.pk}/edit/", {"body": "Typo"}).status_code == 302
    message.refresh_from_db()
    assert message.body == "Typo" and message.edited_at is not None
    assert mia.post(f"/messages/message/{message.pk}/delete/").status_code == 302
    message.refresh_from_db()
    assert message.deleted_at is not None and message.body == ""
    assert "This message was deleted." in noah.get(f"/messages/{conversation.pk}/").content.decode()
