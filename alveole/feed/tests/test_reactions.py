"""Reactions over the whole Unicode emoji set (issue 15): the form, the API, the picker's list, the
addresses the scripts get from the server, the old kinds' migration, the export and the notification."""

from __future__ import annotations

import gzip
import json
import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from alveole.feed import actions, reactions
from alveole.feed.models import Reaction
from alveole.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db
FRAGMENT = {"HTTP_X_ALVEOLE_FRAGMENT": "1"}


def _post(world, body="Launch day"):
    return actions.create_post(world.owner, space=world.open_space, body=body)[0]


# --- the form and its fragment ------------------------------------------------------------------


def test_any_emoji_from_the_form_and_the_bar_the_server_answers(world, client_for) -> None:
    post = _post(world)
    actions.react(world.owner, post=post, kind="🚀")
    client = client_for(world.member)
    response = client.post(reverse("post_react", args=[post.pk]), {"kind": "🚀", "next": "/"}, **FRAGMENT)
    assert response.status_code == 200
    bar = response.content.decode()
    # My reaction is the bar's button, in words too; the count says two rockets, named.
    assert re.search(r'class="post-action react-button is-mine"[^>]*value="🚀"[^>]*aria-pressed="true"', bar)
    assert '<span class="react-label">Rocket</span>' in bar
    assert 'title="Rocket" data-emoji="🚀"' in bar and "<span data-count>2</span>" in bar
    # The live layer's copy of a count is the same partial, in a <template>.
    assert '<template data-reaction-count><span class="reaction-count" title="" data-emoji="">' in bar
    assert Reaction.objects.get(post=post, user=world.member).kind == "🚀"


def test_a_refused_reaction_says_why_and_writes_nothing(world, client_for) -> None:
    post = _post(world)
    client = client_for(world.member)
    for kind in ("🚀🚀", "lol", ""):
        response = client.post(reverse("post_react", args=[post.pk]), {"kind": kind}, **FRAGMENT)
        assert response.status_code == 400
        assert "A reaction is exactly one emoji, such as 👍 or 🚀." in response.content.decode()
        assert "data-fragment-error" in response.content.decode()
    assert client.post(reverse("post_react", args=[post.pk]), {"kind": "🚀🚀"}).status_code == 400
    assert not Reaction.objects.exists()


def test_the_quick_six_and_the_summary_order(world, client_for) -> None:
    post = _post(world)
    actions.react(world.member, post=post, kind="🦩")
    actions.react(world.nonmember, post=post, kind="🦩")
    actions.react(world.admin, post=post, kind="like")
    html = client_for(world.owner).get(reverse("post", args=[post.pk])).content.decode()
    quick = re.findall(r'<button type="submit" name="kind" value="([^"]+)" title="([^"]+)"', html)
    assert quick == [
        ("👍", "Like"),
        ("❤️", "Love"),
        ("🎉", "Celebrate"),
        ("😄", "Funny"),
        ("💡", "Insightful"),
        ("😢", "Sad"),
    ]
    # Most given first: two flamingos, then one like.
    assert re.findall(r'data-emoji="([^"]+)"><span aria-hidden="true" data-emoji-glyph>', html)[:2] == ["🦩", "👍"]
    page = client_for(world.owner).get(reverse("post_reactions", args=[post.pk])).content.decode()
    assert "🦩</span> Flamingo" in page and "👍</span> Like" in page


def test_names_follow_the_viewers_language(world, client_for) -> None:
    post = _post(world)
    actions.react(world.member, post=post, kind="🚀")
    world.owner.language = "fr"
    world.owner.save(update_fields=["language"])
    html = client_for(world.owner).get(reverse("post", args=[post.pk])).content.decode()
    assert 'title="Fusée" data-emoji="🚀"' in html


# --- the API --------------------------------------------------------------------------------------


def test_the_api_takes_one_emoji_or_a_former_name(world, api_client_for) -> None:
    post = _post(world)
    client = api_client_for(world.member)
    url = f"/api/v1/posts/{post.pk}/reactions"
    answer = client.post(url, {"kind": "🚀"}, content_type="application/json")
    assert answer.status_code == 200 and answer.json() == {"my_reaction": "🚀", "reactions": {"🚀": 1}}
    answer = client.post(url, {"kind": "love"}, content_type="application/json")
    assert answer.json() == {"my_reaction": "❤️", "reactions": {"❤️": 1}}
    refused = client.post(url, {"kind": "🚀 and 🎉"}, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["message"] == "A reaction is exactly one emoji, such as 👍 or 🚀."
    assert refused.json()["fields"] == {"kind": "A reaction is exactly one emoji, such as 👍 or 🚀."}
    who = client.get(url).json()
    assert [(r["user"]["full_name"], r["kind"]) for r in who] == [(world.member.full_name, "❤️")]
    feed = client.get(f"/api/v1/spaces/{world.open_space.pk}/posts").json()["items"]
    assert feed[0]["reactions"] == {"❤️": 1} and feed[0]["my_reaction"] == "❤️"


# --- the picker's list ----------------------------------------------------------------------------


def test_the_picker_list_comes_from_the_package_in_english_and_french(world, client_for) -> None:
    client = client_for(world.member)
    english = client.get(reverse("emoji_data", args=["en"]))
    assert english.status_code == 200 and english["Content-Type"] == "application/json"
    assert "private" in english["Cache-Control"] and "max-age=604800" in english["Cache-Control"]
    data = json.loads(english.content)
    assert data["version"] == reactions.version()
    rows = {row[0]: row for row in data["emoji"]}
    assert rows["🚀"][1] == "Rocket" and "rocket" in rows["🚀"][2]
    assert rows["❤️"][1] == "Love" and "red heart" in rows["❤️"][2]
    assert len(rows) > 1500  # the Unicode set, not a hand-picked few
    assert "👍🏽" not in rows and "🏽" not in rows  # skin-tone variants and components are not listed
    assert data["emoji"][0][0] == "😀"  # faces first
    french = json.loads(client.get(reverse("emoji_data", args=["fr"])).content)
    rows = {row[0]: row for row in french["emoji"]}
    assert rows["🚀"][1] == "Fusée"
    assert "fusee" in rows["🚀"][2] and "rocket" in rows["🚀"][2]  # without accents, and in English too
    assert client.get(reverse("emoji_data", args=["de"])).status_code == 404
    compressed = client.get(reverse("emoji_data", args=["en"]), headers={"Accept-Encoding": "gzip"})
    assert compressed["Content-Encoding"] == "gzip" and json.loads(gzip.decompress(compressed.content)) == data
    assert client_for(None).get(reverse("emoji_data", args=["en"])).status_code == 302


def test_pages_give_the_scripts_their_addresses(world, client_for) -> None:
    html = client_for(world.member).get(reverse("home")).content.decode()
    raw = re.search(r'<script id="alveole-client" type="application/json">(.*?)</script>', html, re.S)
    assert raw is not None
    config = json.loads(raw.group(1))
    urls = config["urls"]
    assert urls["post"] == "/posts/{id}/" and urls["post_comments"] == "/posts/{id}/comments/"
    assert urls["topic"] == "/topics/{name}/"
    assert urls["reads"] == reverse("api:record_reads") and urls["notifications_unread"] == reverse("api:unread")
    assert urls["emoji"] == reverse("emoji_data", args=["en"]) + f"?v={reactions.version()}"
    assert config["messages"]["failed"]
    assert 'id="emoji-picker-template"' in html and 'id="request-error-template"' in html


# --- the old kinds, the export, the notification ---------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_the_former_kinds_into_their_emoji_and_back(world) -> None:
    post = _post(world)
    before, after = [("feed", "0002_post_space_pinned")], [("feed", "0003_reaction_emoji")]
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(before)
        old = MigrationExecutor(connection).loader.project_state(before).apps.get_model("feed", "Reaction")
        people = [world.owner, world.admin, world.member, world.nonmember]
        for person, kind in zip(people, ["like", "love", "idea", "sad"], strict=True):
            old.objects.create(post_id=post.pk, user_id=person.pk, kind=kind)
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        assert sorted(Reaction.objects.values_list("kind", flat=True)) == sorted(["👍", "❤️", "💡", "😢"])
        Reaction.objects.filter(user=world.nonmember).update(kind="🚀")
        MigrationExecutor(connection).migrate(before)
        assert sorted(old.objects.values_list("kind", flat=True)) == ["idea", "like", "like", "love"]
    finally:
        MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_a_reaction_with_any_emoji_notifies_the_author(world, django_capture_on_commit_callbacks) -> None:
    post = _post(world)
    with django_capture_on_commit_callbacks(execute=True):
        actions.react(world.member, post=post, kind="🦄")
    assert Notification.objects.filter(user=world.owner, kind=Kind.REACTION, post_id=post.pk).exists()
