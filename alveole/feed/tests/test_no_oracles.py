"""Handles and topic names are guessable: what the writer or reader may not see answers as if it did not exist."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from alveole.feed import actions
from alveole.feed.models import Comment, Follow, Mention, Post
from alveole.mail.addresses import reply_address
from alveole.mail.inbound import receive
from alveole.mail.tests.helpers import email_bytes

pytestmark = pytest.mark.django_db
FRAGMENT = {"HTTP_X_ALVEOLE_FRAGMENT": "1"}
NOBODY = "zed.nobody"  # a handle no one has


@pytest.fixture(autouse=True)
def _handles(world):
    # Handles as people guess them (firstname.lastname).
    for user, handle in [
        (world.admin, "adam.admin"),
        (world.nonmember, "noah.nonmember"),
        (world.member, "mia.member"),
        (world.guest, "gina.guest"),
    ]:
        user.handle = handle
        user.save(update_fields=["handle"])


def _as_unknown(html: str, handle: str) -> str:
    """`html` with `handle` written as the unknown handle: equal when both rendered alike."""
    return html.replace(f"@{handle}", f"@{NOBODY}")


# --- @mentions ---------------------------------------------------------------------------------


def test_a_guest_mentioning_someone_they_may_not_see_gets_the_unknown_handle_answer(world, api_client_for) -> None:
    client = api_client_for(world.guest)

    def post(body: str) -> dict:
        response = client.post(
            "/api/v1/posts", {"space_id": world.private_space.pk, "body": body}, content_type="application/json"
        )
        assert response.status_code == 201, response.content
        return response.json()

    hidden = post("hi @adam.admin")
    unknown = post(f"hi @{NOBODY}")
    assert f"/people/{world.admin.pk}/" not in hidden["body_html"]
    assert _as_unknown(hidden["body_html"], "adam.admin") == unknown["body_html"]
    assert hidden["warnings"] == unknown["warnings"] == []
    assert "Adam Admin" not in str(hidden)
    # People the guest shares the space with are still linked.
    seen = post("hi @mia.member")
    assert f"/people/{world.member.pk}/" in seen["body_html"]
    assert not Mention.objects.filter(user=world.admin).exists()


def test_a_member_cannot_probe_a_guest_they_share_no_space_with(world) -> None:
    post, report = actions.create_post(world.nonmember, space=None, body="ping @gina.guest")
    assert f"/people/{world.guest.pk}/" not in post.body_html
    assert report.warning == "" and report.unreachable == [] and report.reached == []
    # The member who shares the client project with the guest still gets the link and the warning.
    post, report = actions.create_post(world.member, space=None, body="ping @gina.guest")
    assert f"/people/{world.guest.pk}/" in post.body_html and "Gina Guest" in report.warning


def test_edits_and_comments_do_not_reveal_hidden_people(world, api_client_for) -> None:
    client = api_client_for(world.guest)
    created = client.post(
        "/api/v1/posts", {"space_id": world.private_space.pk, "body": "draft"}, content_type="application/json"
    ).json()
    edited = client.patch(
        f"/api/v1/posts/{created['id']}", {"body": "hi @noah.nonmember"}, content_type="application/json"
    )
    assert edited.status_code == 200
    assert f"/people/{world.nonmember.pk}/" not in edited.json()["body_html"]
    assert edited.json()["warnings"] == []
    comment = client.post(
        f"/api/v1/posts/{created['id']}/comments", {"body": "and @noah.nonmember"}, content_type="application/json"
    )
    assert comment.status_code == 201
    assert f"/people/{world.nonmember.pk}/" not in comment.json()["body_html"]
    assert comment.json()["warnings"] == []
    changed = client.patch(
        f"/api/v1/comments/{comment.json()['id']}", {"body": "or @adam.admin"}, content_type="application/json"
    )
    assert changed.status_code == 200 and f"/people/{world.admin.pk}/" not in changed.json()["body_html"]


def test_the_web_composer_shows_no_warning_for_hidden_people(world, client_for) -> None:
    client = client_for(world.guest)
    response = client.post(
        reverse("post_create"),
        {"space": world.private_space.pk, "kind": "update", "body": "hi @adam.admin", "next": "/"},
        **FRAGMENT,
    )
    assert response.status_code == 201
    html = response.content.decode()
    assert "data-mention-warning" not in html and "Adam Admin" not in html
    assert f"/people/{world.admin.pk}/" not in html
    post = Post.objects.get(author=world.guest)
    response = client.post(reverse("post_comments", args=[post.pk]), {"body": "cc @noah.nonmember"}, **FRAGMENT)
    assert response.status_code == 201
    html = response.content.decode()
    assert "data-mention-warning" not in html and "Noah Nonmember" not in html


def test_an_email_reply_does_not_link_hidden_people(world, settings) -> None:
    settings.ALVEOLE_MAIL_DOMAIN = "mail.alveole.test"
    post, _ = actions.create_post(world.member, space=world.private_space, body="Agenda")
    address = reply_address(world.guest.pk, post.pk)
    raw = email_bytes(sender=world.guest.email, to=address, body="Ask @adam.admin")
    [result] = receive(raw, [address])
    assert result.accepted, result
    comment = Comment.objects.get(post=post, author=world.guest)
    assert f"/people/{world.admin.pk}/" not in comment.body_html
    assert not Mention.objects.filter(user=world.admin).exists()


def test_mention_suggestions_offer_only_people_the_writer_may_see(world, api_client_for) -> None:
    client = api_client_for(world.guest)
    assert client.get("/api/v1/mentions/suggest", {"q": "adam.admin"}).json() == []
    assert client.get("/api/v1/mentions/suggest", {"q": NOBODY}).json() == []
    assert [p["id"] for p in client.get("/api/v1/mentions/suggest", {"q": "mia"}).json()] == [world.member.pk]


# --- topics ------------------------------------------------------------------------------------


@pytest.fixture
def hidden_topic(world) -> str:
    """#launch, used only in the private space (admin and nonmember are not in it)."""
    actions.create_post(world.owner, space=world.private_space, body="When do we #launch?")
    return "launch"


def test_a_topic_used_only_where_i_cannot_look_is_a_missing_topic_in_the_api(
    world, api_client_for, hidden_topic
) -> None:
    for viewer in (world.admin, world.nonmember, world.other):
        client = api_client_for(viewer)
        hidden = client.get(f"/api/v1/topics/{hidden_topic}")
        missing = client.get("/api/v1/topics/neverused")
        assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json()) == (404, missing.json())
        follow = client.post("/api/v1/follows", {"topic": hidden_topic}, content_type="application/json")
        assert follow.status_code == 404
        assert client.get(f"/api/v1/topics/{hidden_topic}/posts").json()["items"] == []
    assert not Follow.objects.filter(topic__isnull=False).exists()
    # Those who can read a post about it find it and may follow it.
    client = api_client_for(world.member)
    assert client.get(f"/api/v1/topics/{hidden_topic}").json() == {
        "name": "launch",
        "label": "launch",
        "following": False,
    }
    assert client.post("/api/v1/follows", {"topic": "launch"}, content_type="application/json").status_code == 201


def _main(response) -> str:
    html = response.content.decode().split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def test_a_topic_page_for_a_hidden_topic_is_the_missing_topic_page(world, client_for, hidden_topic) -> None:
    client = client_for(world.nonmember)
    hidden = client.get(reverse("topic", args=[hidden_topic]))
    missing = client.get(reverse("topic", args=["zzzzzz"]))
    assert hidden.status_code == missing.status_code == 200
    assert _main(hidden).replace(hidden_topic, "zzzzzz") == _main(missing)
    assert "Follow this topic" not in _main(hidden)
    response = client.post(reverse("topic_follow", args=[hidden_topic]), {"following": "on"})
    assert response.status_code == 404
    assert not Follow.objects.filter(follower=world.nonmember).exists()
    # A member of the space sees the follow button.
    assert "Follow this topic" in _main(client_for(world.member).get(reverse("topic", args=[hidden_topic])))


def test_a_topic_i_follow_stays_mine_after_losing_sight_of_its_posts(world, client_for, api_client_for) -> None:
    post, _ = actions.create_post(world.owner, space=world.open_space, body="Now #hiring")
    client = client_for(world.nonmember)
    assert client.post(reverse("topic_follow", args=["hiring"]), {"following": "on"}).status_code == 302
    actions.delete_post(world.owner, post=post)
    api = api_client_for(world.nonmember)
    assert api.get("/api/v1/topics/hiring").json()["following"] is True
    assert "Following" in _main(client.get(reverse("topic", args=["hiring"])))
    # ... so it can still be unfollowed.
    assert client.post(reverse("topic_follow", args=["hiring"]), {}).status_code == 302
    assert not Follow.objects.filter(follower=world.nonmember).exists()
    assert api.get("/api/v1/topics/hiring").status_code == 404
