"""A moderator's decision reaches the author by email too: a refused post is theirs alone, and its
REVIEW line is emailed (immediately or in the digest) all the same."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from alveole.feed import actions as feed
from alveole.mail import actions, outbound
from alveole.mail.selectors import digest_for
from alveole.moderation import actions as moderation
from alveole.moderation.access import get_held_post_for
from alveole.notifications import actions as notification_actions
from alveole.notifications.models import Kind, Notification
from alveole.spaces.models import HeldFor

pytestmark = pytest.mark.django_db


@pytest.fixture
def refused(world):
    world.private_space.hold_posts = HeldFor.GUESTS
    world.private_space.save()
    actions.set_email_content(world.owner, space=world.private_space, include_content=True)
    post, _ = feed.create_post(world.guest, space=world.private_space, body="Cheap watches, great prices")
    moderation.refuse_item(world.owner, post=get_held_post_for(world.owner, post.pk), reason="Advertising, sorry.")
    return post


def test_a_refused_post_is_emailed_to_its_author_with_the_reason(world, refused, always_working):
    always_working(world.guest)
    mail.outbox.clear()
    soon = outbound.timezone.now() + datetime.timedelta(minutes=3)
    assert outbound.send_notification_emails(now=soon) == 1
    [message] = mail.outbox
    assert message.to == [world.guest.email]
    assert message.subject.startswith("A moderator refused your post: Advertising, sorry.")
    assert "Cheap watches" in message.body  # the author's own text, as the space allows
    assert Notification.objects.get(user=world.guest, kind=Kind.REVIEW).emailed_at is not None


def test_a_refused_post_is_in_its_authors_digest(world, refused):
    notification_actions.update_settings(world.guest, email_mode="daily")
    digest = digest_for(world.guest, since=outbound.timezone.now() - datetime.timedelta(days=1))
    assert [(n.kind, n.post_id) for n in digest.notifications] == [(Kind.REVIEW, refused.pk)]
    assert digest.busiest == []  # still news for nobody


def test_a_review_line_goes_only_to_whoever_still_reads_the_post(world, refused, always_working):
    # Whoever else got a line about it (there is none today) would not read the refused post in an email.
    line = Notification.objects.create(
        user=world.member, organisation=world.org, kind=Kind.REVIEW, post=refused, actor=world.owner
    )
    always_working(world.member)
    mail.outbox.clear()
    outbound.send_notification_emails(now=outbound.timezone.now() + datetime.timedelta(minutes=3))
    assert world.member.email not in [address for m in mail.outbox for address in m.to]
    line.refresh_from_db()
    assert line.emailed_at is not None  # nothing to send, and it is not tried again
