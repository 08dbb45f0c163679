"""Feed pages and forms: happy paths and denials through the roles, fragments for the JS layer."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alveole.feed import actions
from alveole.feed.models import Comment, Follow, Post, Reaction

pytestmark = pytest.mark.django_db
FRAGMENT = {"HTTP_X_ALVEOLE_FRAGMENT": "1"}


def _post(author, space, body="Hello team", **kwargs) -> Post:
    return actions.create_post(author, space=space, body=body, **kwargs)[0]


def _main(response) -> str:
    html = response.content.decode()
    return html.split('<main id="main"', 1)[1]


# --- pages -----------------------------------------------------------------------------------


def test_home_shows_my_feed_with_composer_and_filters(world, client_for) -> None:
    _post(world.owner, world.open_space, "Welcome to **everyone** #launch")
    _post(world.owner, world.private_space, "Client kickoff")
    response = client_for(world.member).get(reverse("home"))
    assert response.status_code == 200
    main = _main(response)
    assert "Welcome to <strong>everyone</strong>" in main and "Client kickoff" in main
    assert 'action="/posts/new/"' in main and "data-composer" in main
    assert "?filter=mentions" in main and "?filter=questions" in main
    assert reverse("topic", args=["launch"]) in main


def test_home_guest_sees_only_their_space(world, client_for) -> None:
    _post(world.owner, world.open_space, "Company secret plan")
    _post(world.owner, world.private_space, "Client kickoff")
    main = _main(client_for(world.guest).get(reverse("home")))
    assert "Client kickoff" in main and "Company secret plan" not in main
    assert "My followers" not in main  # guests post in their spaces only


def test_home_empty_state_and_first_steps(world, client_for) -> None:
    main = _main(client_for(world.owner).get(reverse("home")))
    assert "Your feed will appear here" in main and "First steps" in main


def test_home_filters(world, client_for) -> None:
    _post(world.owner, world.open_space, f"Ping @{world.member.handle}")
    _post(world.owner, world.open_space, "Anyone?", kind="question")
    client = client_for(world.member)
    mentions = _main(client.get(reverse("home"), {"filter": "mentions"}))
    assert "Ping" in mentions and "Anyone?" not in mentions
    questions = _main(client.get(reverse("home"), {"filter": "questions"}))
    assert "Anyone?" in questions and "Ping" not in questions
    assert client.get(reverse("home"), {"filter": "galaxy"}).status_code == 400


def test_home_pagination_without_js_and_as_fragment(world, client_for, settings) -> None:
    settings.ALVEOLE_FEED_PAGE_SIZE = 3
    for n in range(5):
        _post(world.owner, world.open_space, f"Post number {n}")
    client = client_for(world.member)
    main = _main(client.get(reverse("home")))
    assert "Post number 4" in main and "Post number 1" not in main
    more = main.split("data-more-link")[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    assert "cursor=" in more
    page2 = client.get(more)
    assert "Post number 1" in _main(page2) and "Post number 4" not in _main(page2)
    fragment = client.get(more + "&fragment=1")
    html = fragment.content.decode()
    assert "<html" not in html and "Post number 0" in html and 'data-post-id="' in html
    assert client.get(reverse("home"), {"cursor": "garbage"}).status_code == 400


def test_space_page_shows_pinned_first_and_the_composer_for_members(world, client_for) -> None:
    first = _post(world.owner, world.open_space, "The rules of the house")
    actions.set_pinned(world.owner, post=first, pinned=True)
    _post(world.member, world.open_space, "Later news")
    main = _main(client_for(world.member).get(reverse("space_detail", args=[world.open_space.pk])))
    assert main.index("The rules of the house") < main.index("Later news")
    assert main.count(f'id="post-{first.pk}"') == 1
    assert "data-composer" in main and 'value="announcement"' not in main  # not a manager
    manager = _main(client_for(world.owner).get(reverse("space_detail", args=[world.open_space.pk])))
    assert 'value="announcement"' in manager and reverse("post_pin", args=[first.pk]) in manager


def test_space_page_for_a_non_member_and_an_archived_space(world, client_for) -> None:
    _post(world.owner, world.open_space, "Open news")
    main = _main(client_for(world.nonmember).get(reverse("space_detail", args=[world.open_space.pk])))
    assert "Open news" in main and "data-composer" not in main
    world.open_space.archived_at = world.open_space.created_at
    world.open_space.save()
    main = _main(client_for(world.member).get(reverse("space_detail", args=[world.open_space.pk])))
    assert "Open news" in main and "data-composer" not in main


def test_space_page_top_posts(world, client_for) -> None:
    post = _post(world.owner, world.open_space, "Much discussed")
    actions.create_comment(world.member, post=post, body="Yes")
    main = _main(client_for(world.member).get(reverse("space_detail", args=[world.open_space.pk])))
    assert "Most commented this week" in main


def test_guest_and_other_org_cannot_see_a_space_feed(world, client_for) -> None:
    _post(world.owner, world.open_space, "Company secret plan")
    assert client_for(world.guest).get(reverse("space_detail", args=[world.open_space.pk])).status_code == 404
    assert client_for(world.other).get(reverse("space_detail", args=[world.open_space.pk])).status_code == 404


def test_topic_page_and_follow(world, client_for) -> None:
    _post(world.owner, world.open_space, "About #Launch here")
    _post(world.owner, world.private_space, "Private #launch plan")
    client = client_for(world.nonmember)
    main = _main(client.get(reverse("topic", args=["launch"])))
    assert "About" in main and "Private" not in main and "Follow this topic" in main
    response = client.post(reverse("topic_follow", args=["launch"]), {"following": "on"})
    assert response.status_code == 302
    assert Follow.objects.filter(follower=world.nonmember, topic__name="launch").exists()
    assert "Following" in _main(client.get(reverse("topic", args=["launch"])))
    client.post(reverse("topic_follow", args=["launch"]), {})
    assert not Follow.objects.filter(follower=world.nonmember).exists()
    assert client.get(reverse("topic", args=["nothing"])).status_code == 200
    assert client.post(reverse("topic_follow", args=["nothing"]), {"following": "on"}).status_code == 404


def test_profile_shows_visible_posts_and_follow(world, client_for) -> None:
    _post(world.owner, world.open_space, "Open words")
    _post(world.owner, world.private_space, "Private words")
    _post(world.owner, None, "For my followers")
    client = client_for(world.nonmember)
    main = _main(client.get(reverse("person", args=[world.owner.pk])))
    assert "Open words" in main and "For my followers" in main and "Private words" not in main
    client.post(reverse("person_follow", args=[world.owner.pk]), {"following": "on"})
    assert Follow.objects.filter(follower=world.nonmember, person=world.owner).exists()
    assert client_for(world.other).post(reverse("person_follow", args=[world.owner.pk])).status_code == 404
    guest_view = _main(client_for(world.guest).get(reverse("person", args=[world.owner.pk])))
    assert "For my followers" not in guest_view and "Open words" not in guest_view


def test_post_page_and_other_org_gets_404(world, client_for) -> None:
    post = _post(world.owner, world.private_space, "Kickoff notes")
    actions.create_comment(world.member, post=post, body="Thanks for the notes")
    main = _main(client_for(world.guest).get(reverse("post", args=[post.pk])))
    assert "Kickoff notes" in main and "Thanks for the notes" in main
    assert client_for(world.nonmember).get(reverse("post", args=[post.pk])).status_code == 404
    assert client_for(world.other).get(reverse("post", args=[post.pk])).status_code == 404
    assert client_for(None).get(reverse("post", args=[post.pk])).status_code == 302


# --- posting ---------------------------------------------------------------------------------


def test_post_without_js_redirects_with_messages(world, client_for) -> None:
    client = client_for(world.member)
    response = client.post(
        reverse("post_create"),
        {"space": world.open_space.pk, "kind": "update", "body": f"Hi @{world.guest.handle}", "next": "/"},
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert Post.objects.filter(body__startswith="Hi @").exists()
    main = _main(client.get("/"))
    assert "Posted." in main and "cannot see this space" in main


def test_post_as_fragment_returns_the_card_and_the_warning(world, client_for, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = client_for(world.member)
    attachment = actions.upload_attachment(world.member, stream=io.BytesIO(b"notes"), name="notes.txt", size=5)
    response = client.post(
        reverse("post_create"),
        {
            "space": world.open_space.pk,
            "kind": "question",
            "body": f"Who can help? @{world.guest.handle} #help",
            "attachment_ids": [attachment.pk],
            "next": "/",
        },
        **FRAGMENT,
    )
    assert response.status_code == 201
    html = response.content.decode()
    assert "<html" not in html and "data-mention-warning" in html and "Gina Guest" in html
    assert "notes.txt" in html and "Question" in html and "data-post-id" in html


def test_bad_posts_are_400_and_write_nothing(world, client_for) -> None:
    client = client_for(world.member)
    response = client.post(reverse("post_create"), {"space": world.open_space.pk, "kind": "update", "body": "  "})
    assert response.status_code == 400 and "Write something first." in response.content.decode()
    response = client.post(
        reverse("post_create"), {"space": world.open_space.pk, "kind": "update", "body": "x", "attachment_ids": "abc"}
    )
    assert response.status_code == 400
    response = client.post(
        reverse("post_create"), {"space": world.open_space.pk, "kind": "announcement", "body": "Hear ye"}, **FRAGMENT
    )
    assert response.status_code == 403 and "managers" in response.content.decode()
    # A space the viewer is not in is not a choice.
    response = client_for(world.guest).post(
        reverse("post_create"), {"space": world.open_space.pk, "kind": "update", "body": "Sneaky"}
    )
    assert response.status_code == 400
    assert not Post.objects.exists()


def test_compose_page_lists_my_spaces(world, client_for) -> None:
    main = _main(client_for(world.guest).get(reverse("post_create")))
    assert "Client project" in main and "Everyone" not in main


def test_edit_and_delete_a_post(world, client_for) -> None:
    post = _post(world.member, world.open_space, "First draft")
    client = client_for(world.member)
    assert "First draft" in client.get(reverse("post_edit", args=[post.pk])).content.decode()
    response = client.post(reverse("post_edit", args=[post.pk]), {"body": "Second draft", "next": "/"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.body == "Second draft" and post.edited_at
    assert client_for(world.owner).post(reverse("post_edit", args=[post.pk]), {"body": "Hijack"}).status_code == 403
    assert client_for(world.nonmember).post(reverse("post_delete", args=[post.pk])).status_code == 403
    response = client.post(reverse("post_delete", args=[post.pk]), **FRAGMENT)
    assert response.status_code == 200
    post.refresh_from_db()
    assert post.deleted_at


def test_pin_is_for_managers(world, client_for) -> None:
    post = _post(world.member, world.open_space)
    assert client_for(world.member).post(reverse("post_pin", args=[post.pk]), {"pinned": "on"}).status_code == 403
    assert client_for(world.owner).post(reverse("post_pin", args=[post.pk]), {"pinned": "on"}).status_code == 302
    post.refresh_from_db()
    assert post.pinned_at


# --- reactions, shares -----------------------------------------------------------------------


def test_react_toggle_without_and_with_js(world, client_for) -> None:
    post = _post(world.owner, world.open_space)
    client = client_for(world.member)
    response = client.post(reverse("post_react", args=[post.pk]), {"kind": "love", "next": "/"})
    assert response.status_code == 302 and response["Location"] == f"/#post-{post.pk}"
    assert Reaction.objects.get(post=post).kind == "❤️"
    response = client.post(reverse("post_react", args=[post.pk]), {"kind": "❤️"}, **FRAGMENT)
    assert response.status_code == 200 and "data-reactions" in response.content.decode()
    assert not Reaction.objects.exists()
    assert client.post(reverse("post_react", args=[post.pk]), {"kind": "meh"}).status_code == 400
    assert client_for(world.guest).post(reverse("post_react", args=[post.pk]), {"kind": "like"}).status_code == 404
    assert not Reaction.objects.exists()
    actions.react(world.member, post=post, kind="idea")
    assert "Mia Member" in client.get(reverse("post_reactions", args=[post.pk])).content.decode()


def test_share_to_a_space_and_the_unavailable_original(world, client_for) -> None:
    post = _post(world.owner, world.private_space, "Client-only details")
    client = client_for(world.member)
    assert "Share to" in client.get(reverse("post_share", args=[post.pk])).content.decode()
    response = client.post(reverse("post_share", args=[post.pk]), {"space": world.open_space.pk, "body": "FYI"})
    assert response.status_code == 302
    share = Post.objects.get(is_share=True)
    main = _main(client_for(world.nonmember).get(reverse("space_detail", args=[world.open_space.pk])))
    assert "FYI" in main and "This post is not available to you." in main and "Client-only details" not in main
    response = client.post(reverse("post_share", args=[post.pk]), {"space": "999999", "body": ""}, **FRAGMENT)
    assert response.status_code == 400
    assert Post.objects.filter(is_share=True).count() == 1 and share


# --- comments --------------------------------------------------------------------------------


def test_comments_fragment_reply_edit_delete_and_answer(world, client_for) -> None:
    question = _post(world.member, world.open_space, "How do we deploy?", kind="question")
    client = client_for(world.owner)
    url = reverse("post_comments", args=[question.pk])
    assert "No comments yet." in client.get(url, **FRAGMENT).content.decode()
    assert client.get(url).status_code == 302
    response = client.post(url, {"body": "With one command"}, **FRAGMENT)
    assert response.status_code == 201 and "With one command" in response.content.decode()
    comment = Comment.objects.get()
    response = client.post(url, {"body": "Really", "parent_id": comment.pk, "next": "/"})
    assert response.status_code == 302
    assert Comment.objects.get(parent=comment).body == "Really"
    asker = client_for(world.member)
    response = asker.post(reverse("comment_answer", args=[comment.pk]), {"is_answer": "on"}, **FRAGMENT)
    assert response.status_code == 200 and "Unmark the answer" in response.content.decode()
    question.refresh_from_db()
    assert question.answered_at
    assert asker.post(reverse("comment_edit", args=[comment.pk]), {"body": "Mine now"}).status_code == 403
    client.post(reverse("comment_edit", args=[comment.pk]), {"body": "With two commands"})
    comment.refresh_from_db()
    assert comment.body == "With two commands"
    response = client.post(reverse("comment_delete", args=[comment.pk]), **FRAGMENT)
    assert response.status_code == 200
    question.refresh_from_db()
    assert question.comment_count == 1 and question.answered_at is None


def test_bad_comments_are_400_and_write_nothing(world, client_for) -> None:
    post = _post(world.owner, world.open_space)
    client = client_for(world.member)
    response = client.post(reverse("post_comments", args=[post.pk]), {"body": " "})
    assert response.status_code == 400 and "Write something first." in response.content.decode()
    response = client.post(reverse("post_comments", args=[post.pk]), {"body": " "}, **FRAGMENT)
    assert response.status_code == 400 and response.content.decode().count("Write something first.") == 1
    other = _post(world.owner, world.open_space, "Other")
    parent = actions.create_comment(world.owner, post=other, body="Elsewhere")[0]
    response = client.post(reverse("post_comments", args=[post.pk]), {"body": "x", "parent_id": parent.pk}, **FRAGMENT)
    assert response.status_code == 400
    assert client_for(world.guest).post(reverse("post_comments", args=[post.pk]), {"body": "Hi"}).status_code == 404
    assert Comment.objects.count() == 1


# --- query budgets ---------------------------------------------------------------------------


def _fill(world, n: int) -> None:
    for i in range(n):
        post = _post(world.owner if i % 2 else world.member, world.open_space, f"Post {i} #topic{i % 3}")
        actions.react(world.member, post=post, kind="like")
        if i % 3 == 0:
            actions.create_comment(world.owner, post=post, body="Nice")
        if i % 5 == 0:
            actions.share_post(world.owner, post=post, space=world.open_space, body="Look")


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", ["home", "space", "profile", "topic"])
def test_feed_pages_cost_a_fixed_number_of_queries(world, client_for, settings, page) -> None:
    client = client_for(world.member)
    url = {
        "home": reverse("home"),
        "space": reverse("space_detail", args=[world.open_space.pk]),
        "profile": reverse("person", args=[world.owner.pk]),
        "topic": reverse("topic", args=["topic1"]),
    }[page]
    _fill(world, 5)
    client.get(url)  # warm the session
    small = _count(client, url)
    _fill(world, 30)
    large = _count(client, url)
    assert small == large, (small, large)
