"""After the organisation's edit window, the author is no longer offered Edit and Delete (the actions
refuse them too); a space's manager still is. The page decides from what it knows: no query per card."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from alveole.feed import actions
from alveole.feed.models import Post

pytestmark = pytest.mark.django_db


def _space_page(client, space) -> str:
    return client.get(reverse("space_detail", args=[space.pk])).content.decode()


def test_edit_and_delete_disappear_for_the_author_after_the_window(world, client_for) -> None:
    world.org.edit_window_minutes = 10
    world.org.save()
    post, _ = actions.create_post(world.member, space=world.private_space, body="A plan")
    comment, _ = actions.create_comment(world.member, post=post, body="A detail")
    edit, delete = reverse("post_edit", args=[post.pk]), reverse("post_delete", args=[post.pk])
    comment_edit, comment_delete = (
        reverse("comment_edit", args=[comment.pk]),
        reverse("comment_delete", args=[comment.pk]),
    )
    post_page = reverse("post", args=[post.pk])
    html = _space_page(client_for(world.member), world.private_space)
    assert edit in html and delete in html
    assert comment_edit in client_for(world.member).get(post_page).content.decode()

    long_ago = timezone.now() - timedelta(minutes=11)
    Post.objects.filter(pk=post.pk).update(created_at=long_ago)
    type(comment).objects.filter(pk=comment.pk).update(created_at=long_ago)
    html = _space_page(client_for(world.member), world.private_space)
    assert edit not in html and delete not in html
    page = client_for(world.member).get(post_page).content.decode()
    assert comment_edit not in page and comment_delete not in page
    # The space's manager (the owner) still moderates: Delete stays.
    managed = _space_page(client_for(world.owner), world.private_space)
    assert delete in managed
    assert comment_delete in client_for(world.owner).get(post_page).content.decode()
