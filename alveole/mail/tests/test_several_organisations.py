"""A person in two organisations gets each organisation's mail on its own, and replies land where they came from."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.test import Client

from alveole.accounts.actions import create_token
from alveole.factories import MembershipFactory, UserFactory
from alveole.feed import actions as feed
from alveole.feed.models import Comment
from alveole.mail import inbound, outbound
from alveole.mail.addresses import reply_address
from alveole.notifications import actions as notification_actions
from alveole.notifications.models import Notification

from .helpers import email_bytes

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


@pytest.fixture
def both(world):
    """One person (one sign-in): a member account in Acme (A) and a guest account in Globex (B)."""
    in_a = UserFactory.create(organisation=world.org, email="both@example.net", full_name="Bo Th")
    in_b = UserFactory.create(organisation=world.other_org, email="both@example.net", full_name="Bo Th", role="guest")
    assert in_a.identity_id == in_b.identity_id
    MembershipFactory.create(space=world.open_space, user=in_a)
    MembershipFactory.create(space=world.other_space, user=in_b)
    return in_a, in_b


def test_each_organisation_sends_its_own_digest_naming_itself(world, both, django_capture_on_commit_callbacks):
    in_a, in_b = both
    for account in (in_a, in_b):
        notification_actions.update_settings(account, email_mode="daily")
    with django_capture_on_commit_callbacks(execute=True):
        post_a, _ = feed.create_post(in_a, space=world.open_space, body="Acme plans")
        post_b, _ = feed.create_post(in_b, space=world.other_space, body="Globex plans")
        feed.react(world.owner, post=post_a, kind="like")
        feed.react(world.other, post=post_b, kind="like")
    monday = datetime.datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
    Notification.objects.update(created_at=monday, updated_at=monday)
    assert outbound.send_digest_emails(now=monday + datetime.timedelta(minutes=5)) == 2
    by_subject = {m.subject.split(" · ")[1]: m for m in mail.outbox}
    assert set(by_subject) == {"Acme", "Globex"}
    acme, globex = by_subject["Acme"], by_subject["Globex"]
    assert "Olivia Owner" in acme.body and "Oscar Other" not in acme.body and "Globex" not in acme.body
    assert "Oscar Other" in globex.body and "Olivia Owner" not in globex.body and "Acme" not in globex.body
    assert "You get this email from Acme on Alvéole." in acme.body
    assert "You get this email from Globex on Alvéole." in globex.body
    # Each unsubscribe link is the account's own: stopping B's emails leaves A's on.
    assert acme.extra_headers["List-Unsubscribe"] != globex.extra_headers["List-Unsubscribe"]


def test_a_reply_address_of_a_posts_in_a_only(world, both):
    in_a, _in_b = both
    post_a, _ = feed.create_post(world.owner, space=world.open_space, body="Acme thread")
    post_b, _ = feed.create_post(world.other, space=world.other_space, body="Globex thread")
    raw = email_bytes(sender="both@example.net", to=reply_address(in_a.pk, post_a.pk), body="From A")
    [result] = inbound.receive(raw, [reply_address(in_a.pk, post_a.pk)])
    assert result.exit_code == 0
    comment = Comment.objects.get(post=post_a)
    assert comment.author == in_a and comment.body == "From A"
    # A's reply address signed for a B post (never sent, but well formed) reaches nothing in B.
    forged = reply_address(in_a.pk, post_b.pk)
    [refused] = inbound.receive(email_bytes(sender="both@example.net", to=forged, body="Into B?"), [forged])
    assert refused.exit_code != 0
    assert not Comment.objects.filter(post=post_b).exists()


def test_a_personal_access_token_is_for_one_organisation(world, both):
    in_a, _in_b = both
    _token, secret = create_token(in_a, name="laptop")
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    me = api.get("/api/v1/me").json()
    assert me["organisation_id"] == world.org.pk and me["id"] == in_a.pk
    assert api.get(f"/api/v1/spaces/{world.open_space.pk}").status_code == 200
    assert api.get(f"/api/v1/spaces/{world.other_space.pk}").status_code == 404
    assert "Globex" not in api.get("/api/v1/spaces").content.decode()
