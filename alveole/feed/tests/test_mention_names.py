"""A mention reads as the person's name ("@Mia Member"); the text as written keeps the @handle."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alveole.core.markdown import parse, render
from alveole.feed import actions
from alveole.feed.models import PostRevision

pytestmark = pytest.mark.django_db


def _mention_links(html: str) -> list[str]:
    return re.findall(r'<a[^>]*class="mention"[^>]*>.*?</a>', html)


def test_render_shows_the_name_with_the_handle_as_title():
    html = render(
        parse("Thanks @anna and @bob!"),
        mention_url={"anna": "/people/1/", "bob": "/people/2/"}.get,
        mention_name={"anna": "Anna Schmidt"}.get,
        topic_url=lambda _t: None,
    )
    anna, bob = _mention_links(html)
    assert ">@Anna Schmidt</a>" in anna and 'title="@anna"' in anna and 'href="/people/1/"' in anna
    # No name known: the handle as typed, as before.
    assert ">@bob</a>" in bob and "title" not in bob


def test_a_name_is_text_never_markup():
    html = render(
        parse("hi @eve"),
        mention_url={"eve": "/people/3/"}.get,
        mention_name={"eve": "Eve <script>alert(1)</script>"}.get,
        topic_url=lambda _t: None,
    )
    assert "<script>" not in html and "@Eve &lt;script&gt;alert(1)&lt;/script&gt;</a>" in html


def test_a_posted_mention_shows_the_name_and_the_source_keeps_the_handle(world):
    world.member.handle = "mia"
    world.member.save()
    post, _report = actions.create_post(world.owner, space=world.open_space, body="Ask @mia or @nobody-here")
    assert post.body == "Ask @mia or @nobody-here"
    [link] = _mention_links(post.body_html)
    assert f'href="/people/{world.member.pk}/"' in link and ">@Mia Member</a>" in link and 'title="@mia"' in link
    assert "@nobody-here" in post.body_html  # unknown handles stay plain text
    edited, _ = actions.edit_post(world.owner, post=post, body="Ask @mia again")
    assert ">@Mia Member</a>" in edited.body_html and edited.body == "Ask @mia again"
    assert "@mia" in PostRevision.objects.filter(post=post).latest("pk").body


def test_a_comment_mention_shows_the_name(world):
    world.member.handle = "mia"
    world.member.save()
    post, _ = actions.create_post(world.owner, space=world.private_space, body="Plan")
    comment, _ = actions.create_comment(world.owner, post=post, body="@mia can you check?")
    assert ">@Mia Member</a>" in comment.body_html and comment.body.startswith("@mia")


def test_a_name_shows_only_where_every_reader_may_see_the_person(world):
    """The HTML is rendered once for every reader: a guest's name (seen only through a shared space)
    never replaces the handle, and in a space a guest can read, only its members' names do."""
    world.guest.handle, world.nonmember.handle, world.member.handle = "gina", "noah", "mia"
    for person in (world.guest, world.nonmember, world.member):
        person.save()
    # The member and the guest share the private space; readers of the open space may not see the guest.
    post, _ = actions.create_post(world.member, space=world.open_space, body="Ask @gina or @noah")
    assert "Gina" not in post.body_html and "@gina" in post.body_html and ">@Noah" in post.body_html
    # The guest reads the private space: the non-member (not in it) keeps the handle, the member is named.
    private, _ = actions.create_post(world.owner, space=world.private_space, body="@noah and @mia")
    assert "Noah" not in private.body_html and "@noah" in private.body_html and ">@Mia Member</a>" in private.body_html


def test_someone_the_writer_may_not_see_stays_plain_text(world):
    # The guest shares no space with the non-member: the handle must not become their name.
    world.nonmember.handle = "noah"
    world.nonmember.save()
    post, _ = actions.create_post(world.guest, space=world.private_space, body="hello @noah")
    assert _mention_links(post.body_html) == [] and "Noah" not in post.body_html


def test_names_cost_no_query_per_mention(world):
    for i, user in enumerate((world.member, world.nonmember, world.admin)):
        user.handle = f"h{i}"
        user.save()

    def people_queries(body: str) -> int:
        # Telling each person mentioned costs queries of its own (notifications); reading people must not.
        with CaptureQueriesContext(connection) as ctx:
            post, _ = actions.create_post(world.owner, space=world.open_space, body=body)
        assert post.body_html.count('class="mention"') == body.count("@")
        return sum('FROM "accounts_user"' in q["sql"] for q in ctx.captured_queries)

    assert people_queries("@h0 hello") == people_queries("@h0 @h1 @h2 hello") == 1
