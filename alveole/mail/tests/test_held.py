"""Email goes through the space's moderation like the web: the same feed actions, the same queue."""

from __future__ import annotations

import pytest

from alveole.feed import actions as feed
from alveole.feed.access import visible_comments, visible_posts
from alveole.feed.models import Comment, Post, Review
from alveole.mail import actions
from alveole.mail.addresses import reply_address, space_address
from alveole.mail.inbound import Problem, receive
from alveole.moderation.selectors import held_queue
from alveole.spaces.models import Contributors, HeldFor

from .helpers import email_bytes

pytestmark = pytest.mark.django_db


def test_a_guests_email_reply_in_a_held_space_waits_for_validation(world) -> None:
    post, _ = feed.create_post(world.member, space=world.private_space, body="Agenda")
    world.private_space.hold_comments = HeldFor.GUESTS
    world.private_space.save()
    address = reply_address(world.guest.pk, post.pk)
    [result] = receive(email_bytes(sender=world.guest.email, to=address, body="Works for me."), [address])
    assert result.accepted and "validation" in result.reason
    comment = Comment.objects.get(post=post)
    assert comment.review == Review.HELD
    assert Post.objects.get(pk=post.pk).comment_count == 0
    assert not visible_comments(world.member).filter(pk=comment.pk).exists()
    assert [row.item.pk for row in held_queue(world.owner)] == [comment.pk]


def test_a_space_address_post_is_held_and_announcement_spaces_refuse_it(world) -> None:
    address = space_address(actions.enable_space_address(world.owner, space=world.private_space).address_key or "")
    world.private_space.hold_posts = HeldFor.EVERYONE
    world.private_space.save()
    [result] = receive(email_bytes(sender=world.member.email, to=address, subject="Minutes", body="Notes"), [address])
    assert result.accepted
    post = Post.objects.get(space=world.private_space)
    assert post.review == Review.HELD and not visible_posts(world.guest).filter(pk=post.pk).exists()
    world.private_space.posters = Contributors.MANAGERS
    world.private_space.save()
    [result] = receive(email_bytes(sender=world.member.email, to=address, subject="Again", body="More"), [address])
    assert not result.accepted and result.problem is Problem.FORBIDDEN
    assert "Only the managers of this space can post in it" in result.reason
