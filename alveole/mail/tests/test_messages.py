"""Direct messages by email: notified under the same rules, answered by replying, never in a digest."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core import mail
from django.utils import timezone

from alveole.conversations import actions as conversations
from alveole.conversations.models import Message
from alveole.feed import actions as feed
from alveole.mail import outbound
from alveole.mail.addresses import message_reply_address, reply_address, split_recipient
from alveole.mail.inbound import receive
from alveole.notifications import actions as notification_actions

from .helpers import email_bytes

pytestmark = pytest.mark.django_db

LATER = datetime.timedelta(minutes=5)


def _dm_address(email: mail.EmailMessage) -> str:
    [address] = email.reply_to
    return address


def test_a_new_message_is_emailed_with_a_reply_address(world, always_working) -> None:
    always_working(world.nonmember)
    always_working(world.member)
    conversation, _ = conversations.start_conversation(world.member, people_ids=[world.nonmember.pk], body="Lunch?")
    assert outbound.send_message_emails() == 0  # still going on: it waits for a pause
    assert outbound.send_message_emails(timezone.now() + LATER) == 1
    [email] = mail.outbox
    assert email.to == [world.nonmember.email]  # not the author
    assert world.member.full_name in email.subject and "Lunch?" in email.body
    assert split_recipient(_dm_address(email)).kind == "dm"
    assert outbound.send_message_emails(timezone.now() + LATER) == 0  # once
    conversations.send_message(world.member, conversation=conversation, body="Or dinner?")
    assert outbound.send_message_emails(timezone.now() + LATER) == 1
    assert "Or dinner?" in mail.outbox[1].body and "Lunch?" not in mail.outbox[1].body


def test_a_message_of_files_alone_is_emailed_with_their_names(world, always_working, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    always_working(world.nonmember)
    conversation, _ = conversations.start_conversation(world.member, people_ids=[world.nonmember.pk], body="Hi")
    conversations.mark_read(world.nonmember, conversation=conversation)
    upload = conversations.upload_file(
        world.member, conversation=conversation, stream=io.BytesIO(b"figures"), name="budget.txt", size=7
    )
    conversations.send_message(world.member, conversation=conversation, body="", attachment_ids=[upload.pk])
    assert outbound.send_message_emails(timezone.now() + LATER) == 1
    [email] = mail.outbox
    assert "Files: budget.txt" in email.body and "figures" not in email.body
    assert isinstance(email, mail.EmailMultiAlternatives)
    [(html, _type)] = email.alternatives
    assert "Files: budget.txt" in str(html)


def test_muted_read_and_digest_people_get_no_message_email(world, always_working) -> None:
    for person in (world.nonmember, world.owner, world.admin):
        always_working(person)
    conversation, _ = conversations.start_conversation(
        world.member, people_ids=[world.nonmember.pk, world.owner.pk, world.admin.pk], body="Secret plan"
    )
    conversations.set_muted(world.nonmember, conversation=conversation, muted=True)
    conversations.mark_read(world.owner, conversation=conversation)
    notification_actions.update_settings(world.admin, email_mode="daily")
    # Something else for the digest, so a digest does go out.
    feed.create_post(world.member, space=world.open_space, body=f"Hello @{world.admin.handle}")
    assert outbound.send_message_emails(timezone.now() + LATER) == 0
    assert outbound.send_digest_emails(timezone.now() + datetime.timedelta(days=2)) == 1
    assert all("Secret plan" not in e.body for e in mail.outbox)
    assert all("Secret plan" not in str(e.message()) for e in mail.outbox)


def test_a_reply_by_email_becomes_a_message(world, always_working) -> None:
    always_working(world.nonmember)
    conversation, _ = conversations.start_conversation(world.member, people_ids=[world.nonmember.pk], body="Lunch?")
    outbound.send_message_emails(timezone.now() + LATER)
    address = _dm_address(mail.outbox[0])
    raw = email_bytes(
        sender=world.nonmember.email,
        to=address,
        body="Yes, at noon.\n\nOn Tue, Jun 3, 2025 at 10:12 AM Alveole <alveole@localhost> wrote:\n> Lunch?\n",
    )
    [result] = receive(raw, [address])
    assert result.accepted, result.reason
    reply = Message.objects.filter(conversation=conversation).latest("created_at")
    assert reply.author == world.nonmember and reply.body == "Yes, at noon."
    [again] = receive(raw, [address])
    assert again.duplicate and Message.objects.filter(conversation=conversation).count() == 2


def test_email_replies_are_refused_for_strangers_and_after_leaving(world) -> None:
    conversation, _ = conversations.start_conversation(world.member, people_ids=[world.nonmember.pk], body="Hi")
    address = message_reply_address(world.nonmember.pk, conversation.pk)
    [forged_sender] = receive(email_bytes(sender=world.owner.email, to=address, body="Me too"), [address])
    assert not forged_sender.accepted and "belongs to someone else" in forged_sender.reason
    # A post's reply token does not open a conversation (another salt).
    post, _ = feed.create_post(world.member, space=world.open_space, body="Agenda")
    token = reply_address(world.nonmember.pk, post.pk).split("+", 1)[1]
    [crossed] = receive(email_bytes(sender=world.nonmember.email, to="dm+" + token, body="x"), ["dm+" + token])
    assert not crossed.accepted
    conversations.leave_conversation(world.nonmember, conversation=conversation)
    [left] = receive(email_bytes(sender=world.nonmember.email, to=address, body="Still?"), [address])
    assert not left.accepted and "left this conversation" in left.reason
    assert Message.objects.count() == 1


def test_a_digest_never_carries_the_text_of_unread_messages(world, always_working) -> None:
    """Issue 16: someone with unread direct messages gets a digest with at most a count or a link."""
    always_working(world.member)
    notification_actions.update_settings(world.member, email_mode="daily")
    conversation, _ = conversations.start_conversation(
        world.nonmember, people_ids=[world.member.pk], title="Reorg", body="The reorg memo is in the safe"
    )
    conversations.send_message(world.nonmember, conversation=conversation, body="Code: 7-4-1-9")
    edited = conversations.send_message(world.nonmember, conversation=conversation, body="Draft one")
    conversations.edit_message(world.nonmember, message=edited, body="Draft two, confidential")
    # Something else for the digest, so a digest does go out.
    feed.create_post(world.owner, space=world.open_space, body=f"Welcome @{world.member.handle}")
    assert outbound.send_digest_emails(timezone.now() + datetime.timedelta(days=2)) == 1
    [digest] = [e for e in mail.outbox if e.to == [world.member.email]]
    assert isinstance(digest, mail.EmailMultiAlternatives)
    parts = [digest.subject, digest.body, *(str(content) for content, _type in digest.alternatives)]
    assert "mentioned you" in digest.body  # the digest itself is there
    for secret in ("reorg memo", "7-4-1-9", "Draft one", "Draft two", "Reorg"):
        assert all(secret not in part for part in parts), secret
