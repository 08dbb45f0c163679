"""An owner or admin who must set up two-factor first cannot act by email either (issue 18 item 1)."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator

from alveole.feed import actions as feed
from alveole.feed.models import Comment, Post
from alveole.mail import actions
from alveole.mail.addresses import reply_address, space_address
from alveole.mail.inbound import Problem, receive
from alveole.orgs.actions import update_organisation

from .helpers import email_bytes

pytestmark = pytest.mark.django_db


def test_a_reply_is_refused_until_two_factor_is_set_up(world) -> None:
    post, _ = feed.create_post(world.member, space=world.private_space, body="Agenda")
    address = reply_address(world.owner.pk, post.pk)
    update_organisation(world.owner, require_mfa_for_admins=True)
    [result] = receive(email_bytes(sender=world.owner.email, to=address, body="Agreed."), [address])
    assert not result.accepted and result.problem is Problem.FORBIDDEN
    assert "two-factor authentication" in result.reason and result.smtp_reply.startswith("550 5.7.1")
    assert not Comment.objects.filter(post=post).exists()

    Authenticator.objects.create(user=world.owner.identity, type=Authenticator.Type.TOTP, data={"secret": "x"})
    [result] = receive(email_bytes(sender=world.owner.email, to=address, body="Agreed."), [address])
    assert result.accepted and Comment.objects.get(post=post).body == "Agreed."


def test_posting_to_a_space_address_is_refused_until_two_factor_is_set_up(world) -> None:
    address = space_address(actions.enable_space_address(world.owner, space=world.private_space).address_key or "")
    update_organisation(world.owner, require_mfa_for_admins=True)
    [result] = receive(email_bytes(sender=world.owner.email, to=address, subject="Minutes", body="Notes"), [address])
    assert not result.accepted and "two-factor authentication" in result.reason
    assert not Post.objects.filter(space=world.private_space).exists()
    # Members are not concerned.
    [result] = receive(email_bytes(sender=world.member.email, to=address, subject="Minutes", body="Notes"), [address])
    assert result.accepted
