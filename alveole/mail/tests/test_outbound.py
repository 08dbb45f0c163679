"""Notification emails: grouped, paced, within working hours, confidential when the space says so."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from alveole.factories import MembershipFactory, UserFactory
from alveole.feed import actions as feed
from alveole.feed.models import Post
from alveole.mail import actions, outbound
from alveole.mail.addresses import split_recipient, unsubscribe_token
from alveole.notifications import actions as notification_actions
from alveole.notifications.access import settings_of
from alveole.notifications.models import Notification

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


@pytest.fixture
def act(django_capture_on_commit_callbacks):
    """Run an action and the jobs it queues after commit (as the worker would)."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def _at(notification_filter, when: datetime.datetime) -> None:
    """Pretend the notification lines happened at `when`."""
    Notification.objects.filter(**notification_filter).update(created_at=when, updated_at=when)


def _fans(world, n):
    fans = [UserFactory.create(organisation=world.org, full_name=f"Fan {i}") for i in range(n)]
    for fan in fans:
        MembershipFactory.create(space=world.open_space, user=fan)
    return fans


def _html(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return str(html)


def _soon() -> datetime.datetime:
    return outbound.timezone.now() + datetime.timedelta(minutes=3)


def test_two_reactions_within_the_batch_window_make_one_email(act, world, always_working):
    always_working(world.member)
    post, _ = act(feed.create_post, world.member, space=world.open_space, body="Launch day!")
    for fan in _fans(world, 2):
        act(feed.react, fan, post=post, kind="like")
    mail.outbox.clear()
    assert outbound.send_notification_emails(now=outbound.timezone.now()) == 0  # too fresh: a quick read cancels it
    assert outbound.send_notification_emails(now=_soon()) == 1
    [message] = mail.outbox
    assert message.subject.startswith("Fan 1 and 1 other reacted to your post")
    assert Notification.objects.get(user=world.member).emailed_at is not None
    assert outbound.send_notification_emails(now=_soon()) == 0  # not twice


def test_a_thread_is_emailed_at_most_once_per_batch_window(act, world, always_working):
    always_working(world.member)
    post, _ = act(feed.create_post, world.member, space=world.open_space, body="Launch day!")
    first, second = _fans(world, 2)
    act(feed.react, first, post=post, kind="like")
    start = outbound.timezone.now()
    assert outbound.send_notification_emails(now=start + datetime.timedelta(minutes=3)) == 1
    act(feed.react, second, post=post, kind="like")  # news on the same line
    assert outbound.send_notification_emails(now=start + datetime.timedelta(minutes=6)) == 0  # paced
    assert outbound.send_notification_emails(now=start + datetime.timedelta(minutes=14)) == 1
    assert len(mail.outbox) == 2


def test_a_notification_read_in_the_app_is_not_emailed(act, world, always_working):
    always_working(world.member)
    post, _ = act(feed.create_post, world.member, space=world.open_space, body="Launch day!")
    act(feed.react, world.owner, post=post, kind="like")
    notification_actions.mark_all_read(world.member)
    assert outbound.send_notification_emails(now=_soon()) == 0


def test_outside_working_hours_the_email_waits(act, world):
    world.member.time_zone = "Asia/Tokyo"
    world.member.save()
    notification_actions.update_settings(
        world.member, work_days=[0, 1, 2, 3, 4], work_start=datetime.time(9), work_end=datetime.time(18)
    )
    post, _ = act(feed.create_post, world.member, space=world.open_space, body="Launch day!")
    act(feed.react, world.owner, post=post, kind="like")
    sunday_night = datetime.datetime(2025, 6, 1, 23, 0, tzinfo=UTC)  # Monday 08:00 in Tokyo
    _at({"user": world.member}, sunday_night)
    assert outbound.send_notification_emails(now=sunday_night + datetime.timedelta(minutes=5)) == 0
    assert outbound.send_notification_emails(now=sunday_night + datetime.timedelta(minutes=65)) == 1  # 09:05


def test_email_kinds_and_space_mutes_are_respected(act, world, always_working):
    always_working(world.member)
    notification_actions.update_settings(world.member, email_kinds=["mention", "reply"])
    post, _ = act(feed.create_post, world.member, space=world.open_space, body="Launch day!")
    act(feed.react, world.owner, post=post, kind="like")
    assert outbound.send_notification_emails(now=_soon()) == 0  # reactions are in the app only
    act(feed.create_comment, world.owner, post=post, body="Congrats")
    notification_actions.set_space_muted(world.member, space=world.open_space, muted=True)
    assert outbound.send_notification_emails(now=_soon()) == 0
    notification_actions.set_space_muted(world.member, space=world.open_space, muted=False)
    assert outbound.send_notification_emails(now=_soon()) == 1


def test_a_confidential_space_sends_no_post_text(act, world, always_working):
    always_working(world.member)
    post, _ = act(feed.create_post, world.member, space=world.private_space, body="Acquisition of Globex at 40M")
    act(feed.create_comment, world.owner, post=post, body="Price is too high")
    assert outbound.send_notification_emails(now=_soon()) == 1
    [message] = mail.outbox
    html = _html(message)
    for part in (message.subject, message.body, html):
        assert "Globex" not in part and "Price is too high" not in part
    assert f"/posts/{post.pk}/" in message.body and "Client project" in message.subject


def test_a_space_that_allows_it_sends_the_text_and_a_reply_address(act, world, always_working):
    always_working(world.member)
    actions.set_email_content(world.owner, space=world.private_space, include_content=True)
    post, _ = act(feed.create_post, world.member, space=world.private_space, body="Kick-off on Thursday")
    act(feed.create_comment, world.owner, post=post, body="Room 4 is booked <b>ok</b>")
    outbound.send_notification_emails(now=_soon())
    [message] = mail.outbox
    html = _html(message)
    assert message.subject == "Olivia Owner commented on your post: Kick-off on Thursday"
    assert "Room 4 is booked <b>ok</b>" in message.body
    assert "Room 4 is booked &lt;b&gt;ok&lt;/b&gt;" in html and "<img" not in html
    assert split_recipient(message.reply_to[0]).kind == "reply"
    assert message.extra_headers["References"] == f"<post-{post.pk}@mail.alveole.test>"


def test_every_email_can_be_unsubscribed_in_one_click(act, world, always_working, client):
    always_working(world.member)
    post, _ = act(feed.create_post, world.member, space=world.open_space, body="Launch day!")
    act(feed.react, world.owner, post=post, kind="like")
    outbound.send_notification_emails(now=_soon())
    [message] = mail.outbox
    headers = message.extra_headers
    token = unsubscribe_token(world.member.pk)
    assert headers["List-Unsubscribe"] == (
        f"<http://testserver/mail/unsubscribe/{token}/>, "
        f"<mailto:unsubscribe+{token}@mail.alveole.test?subject=unsubscribe>"
    )
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["Auto-Submitted"] == "auto-generated"
    assert "http://testserver/notifications/settings/" in message.body
    url = f"/mail/unsubscribe/{token}/"
    page = client.get(url)  # a link scanner or a preview must not unsubscribe
    assert page.status_code == 200 and "Stop notification emails?" in page.content.decode()
    assert settings_of(world.member).email_mode == "immediate"
    done = client.post(url, {"List-Unsubscribe": "One-Click"})  # what mail providers send, without CSRF
    assert done.status_code == 200 and "Notification emails are off" in done.content.decode()
    assert settings_of(world.member).email_mode == "off"
    assert client.get("/mail/unsubscribe/1.forged/").status_code == 400


def test_email_language_follows_the_person(act, world, always_working):
    world.member.language = "fr"
    world.member.save()
    notification_actions.update_settings(world.member, email_mode="daily")
    always_working(world.member)
    act(feed.create_post, world.owner, space=world.open_space, body="Busy thread")
    monday = datetime.datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
    outbound.send_digest_emails(now=monday)
    [message] = mail.outbox
    assert "lundi 2 juin" in message.body or "dimanche 1 juin" in message.body


def test_the_daily_digest_lists_unread_notifications_and_busy_posts(act, world):
    notification_actions.update_settings(world.member, email_mode="daily")
    actions.set_email_content(world.owner, space=world.open_space, include_content=True)
    mine, _ = act(feed.create_post, world.member, space=world.private_space, body="Secret plan")
    act(feed.react, world.owner, post=mine, kind="like")
    busy, _ = act(feed.create_post, world.owner, space=world.open_space, body="Who joins the offsite?")
    for n in range(3):
        act(feed.create_comment, world.owner, post=busy, body=f"Bump {n}")
    act(feed.create_post, world.owner, space=world.private_space, body="Confidential roadmap")
    monday_7am = datetime.datetime(2025, 6, 2, 7, 0, tzinfo=UTC)  # UTC, default hours 8-19
    Notification.objects.update(created_at=monday_7am, updated_at=monday_7am)
    Post.objects.update(created_at=monday_7am)
    assert outbound.send_digest_emails(now=monday_7am) == 0  # before the working day
    assert outbound.send_notification_emails(now=monday_7am + datetime.timedelta(hours=2)) == 0  # digest people
    assert outbound.send_digest_emails(now=monday_7am + datetime.timedelta(hours=1, minutes=2)) == 1
    [message] = mail.outbox
    assert message.subject == "Your daily digest · Acme · Olivia Owner reacted to your post"
    assert "Olivia Owner reacted to your post · Client project" in message.body
    assert "Who joins the offsite?" in message.body  # open space allows the text
    assert "Confidential roadmap" not in message.body and "A post by Olivia Owner" in message.body
    assert "Secret plan" not in message.body
    assert Notification.objects.get(user=world.member).emailed_at is not None
    assert outbound.send_digest_emails(now=monday_7am + datetime.timedelta(hours=5)) == 0  # once a day
    tuesday = monday_7am + datetime.timedelta(days=1, hours=1, minutes=1)
    act(feed.create_comment, world.owner, post=busy, body="Tuesday bump")
    assert outbound.send_digest_emails(now=tuesday) == 1
