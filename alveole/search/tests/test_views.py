"""The search page's links to its results."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_a_result_opens_with_the_words_it_was_found_by(world, client_for):
    from alveole.feed import actions as feed

    post, _ = feed.create_post(world.member, space=world.open_space, body="Quarterly turbines review")
    comment, _ = feed.create_comment(world.member, post=post, body="Turbines again")
    html = client_for(world.member).get("/search/", {"q": "turbines"}).content.decode()
    assert f'href="/posts/{post.pk}/?highlight=turbines"' in html
    assert f'href="/posts/{post.pk}/?highlight=turbines#comment-{comment.pk}"' in html
