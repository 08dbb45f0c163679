"""Acceptance: a real SMTP client talks to `alveole mail-server` over loopback."""

from __future__ import annotations

import smtplib
import time

import pytest
from django.core import mail

from alveole.factories import MembershipFactory
from alveole.feed import actions as feed
from alveole.feed.models import Attachment, Comment, Post
from alveole.mail import actions, outbound
from alveole.mail.addresses import space_address

from .helpers import email_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def _reply_address_of_a_notification(world, always_working) -> tuple[str, Post]:
    """Mia's post, Olivia comments, the notification email goes out: its Reply-To is Mia's reply address."""
    always_working(world.member)
    post, _ = feed.create_post(world.member, space=world.private_space, body="Draft agenda for Thursday")
    feed.create_comment(world.owner, post=post, body="Can we add the budget?")
    mail.outbox.clear()
    later = outbound.timezone.now() + outbound.datetime.timedelta(minutes=3)
    assert outbound.send_notification_emails(now=later) == 1
    [message] = mail.outbox
    assert message.to == [world.member.email]
    return message.reply_to[0], post


def _send(port: int, sender: str, recipients: list[str], data: bytes) -> dict:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        return client.sendmail(sender, recipients, data)


def test_a_reply_by_email_becomes_a_comment(world, always_working, smtp_server):
    address, post = _reply_address_of_a_notification(world, always_working)
    assert address.startswith("reply+") and address.endswith("@mail.alveole.test")
    data = email_bytes(
        sender=f"Mia <{world.member.email.upper()}>",
        to=address,
        body="Yes, I'll add it.\n\nOn Tue, Jun 3, 2025 at 10:12 AM Alvéole <alveole@localhost> wrote:\n> Olivia",
    )
    assert _send(smtp_server.port, world.member.email, [address], data) == {}
    comment = Comment.objects.get(post=post, author=world.member)
    assert comment.body == "Yes, I'll add it."
    assert comment.parent is not None and comment.parent.author == world.owner  # under Olivia's comment
    # The same message delivered again (an SMTP retry) is not posted twice.
    _send(smtp_server.port, world.member.email, [address], data)
    assert Comment.objects.filter(post=post, author=world.member).count() == 1


def test_a_forged_reply_address_is_refused_with_a_reason(world, smtp_server):
    forged = "reply+1.1.abc123.aaaaaaaaaaaaaaaaaaaaaaaaaa@mail.alveole.test"
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        _send(
            smtp_server.port, world.member.email, [forged], email_bytes(sender=world.member.email, to=forged, body="Hi")
        )
    code, reason = refused.value.recipients[forged]
    assert code == 550 and b"not valid: it was altered or never issued" in reason
    assert not Comment.objects.exists()


def test_an_expired_reply_address_is_refused(world, always_working, smtp_server, settings):
    address, _post = _reply_address_of_a_notification(world, always_working)
    settings.ALVEOLE_REPLY_DAYS = 0
    time.sleep(1.1)
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        _send(
            smtp_server.port,
            world.member.email,
            [address],
            email_bytes(sender=world.member.email, to=address, body="Late"),
        )
    code, reason = refused.value.recipients[address]
    assert code == 550 and b"expired" in reason
    assert not Comment.objects.filter(author=world.member).exists()


def test_a_reply_from_someone_else_is_refused(world, always_working, smtp_server):
    address, _post = _reply_address_of_a_notification(world, always_working)
    data = email_bytes(sender="mallory@evil.example", to=address, body="Phishing link")
    with pytest.raises(smtplib.SMTPDataError) as refused:
        _send(smtp_server.port, "mallory@evil.example", [address], data)
    assert refused.value.smtp_code == 550 and b"belongs to someone else" in refused.value.smtp_error
    assert not Comment.objects.filter(author=world.member).exists()


def test_unknown_addresses_and_other_domains_are_refused(world, smtp_server):
    with smtplib.SMTP("127.0.0.1", smtp_server.port, timeout=10) as client:
        client.ehlo()
        client.mail("someone@example.com")
        code, reason = client.rcpt("postmaster@elsewhere.example")
        assert code == 550 and b"Relaying denied" in reason
        code, reason = client.rcpt("space+0123456789abcdef0123@mail.alveole.test")
        assert code == 550 and b"No space has this address" in reason


def test_a_member_posts_in_a_space_by_email_with_an_attachment(world, smtp_server):
    address = space_address(actions.enable_space_address(world.owner, space=world.private_space).address_key or "")
    data = email_bytes(
        sender=world.member.email,
        to=address,
        subject="Minutes of the kick-off",
        body="Decisions below.\n\n-- \nMia Member\nAcme",
        attachments=[("minutes.txt", "text/plain", b"1. Launch in May")],
    )
    _send(smtp_server.port, world.member.email, [address], data)
    post = Post.objects.get(space=world.private_space, author=world.member)
    assert post.body == "**Minutes of the kick-off**\n\nDecisions below."
    [attachment] = Attachment.objects.filter(post=post)
    assert attachment.original_name == "minutes.txt" and attachment.content_type == "text/plain"


def test_a_non_member_cannot_post_to_a_space_address(world, smtp_server):
    address = space_address(actions.enable_space_address(world.owner, space=world.private_space).address_key or "")
    data = email_bytes(sender=world.nonmember.email, to=address, subject="Hello", body="Let me in")
    with pytest.raises(smtplib.SMTPDataError) as refused:
        _send(smtp_server.port, world.nonmember.email, [address], data)
    assert refused.value.smtp_code == 550
    assert b"Only members of this space can post" in refused.value.smtp_error
    assert not Post.objects.filter(space=world.private_space).exists()


def test_refusals_of_a_partly_accepted_message_are_bounced(world, smtp_server):
    """One reply cannot say "posted here, refused there": the refused part comes back as an email."""
    MembershipFactory.create(space=world.open_space, user=world.nonmember)
    open_address = space_address(actions.enable_space_address(world.owner, space=world.open_space).address_key or "")
    private_address = space_address(
        actions.enable_space_address(world.owner, space=world.private_space).address_key or ""
    )
    mail.outbox.clear()
    data = email_bytes(sender=world.nonmember.email, to=open_address, subject="Lunch?", body="Friday?")
    _send(smtp_server.port, world.nonmember.email, [open_address, private_address], data)
    assert Post.objects.filter(space=world.open_space, author=world.nonmember).exists()
    assert not Post.objects.filter(space=world.private_space).exists()
    [bounce] = mail.outbox
    assert bounce.to == [world.nonmember.email]
    assert private_address in bounce.body and "Only members of this space can post" in bounce.body
    assert bounce.extra_headers["Auto-Submitted"] == "auto-replied"
