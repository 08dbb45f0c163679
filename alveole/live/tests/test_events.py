"""Events: numbered without gaps per organisation, typed, and enough to keep a client in sync."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from django.db import transaction

from alveole.feed import actions as feed
from alveole.live import hubs
from alveole.live.events import registry
from alveole.live.models import Audience, Event
from alveole.live.publish import publish
from alveole.orgs.actions import deactivate_member
from alveole.orgs.events import MemberUpdated
from alveole.spaces import actions as spaces

pytestmark = pytest.mark.django_db


def test_each_organisation_numbers_its_events_from_one_without_gaps(world):
    feed.create_post(world.member, space=world.open_space, body="one")
    feed.create_post(world.other, space=world.other_space, body="elsewhere")
    feed.create_post(world.member, space=world.open_space, body="two")
    assert list(Event.objects.filter(organisation=world.org).values_list("seq", flat=True).order_by("seq")) == [1, 2]
    assert list(Event.objects.filter(organisation=world.other_org).values_list("seq", flat=True)) == [1]


def test_a_rolled_back_action_gives_its_number_back(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        feed.create_post(world.member, space=world.open_space, body="never happened")
        raise RuntimeError("rollback")
    post, _ = feed.create_post(world.member, space=world.open_space, body="kept")
    assert list(Event.objects.filter(organisation=world.org).values_list("seq", "data__post_id")) == [(1, post.pk)]


@pytest.mark.django_db(transaction=True)
def test_publishing_outside_a_transaction_is_a_bug(world):
    with pytest.raises(RuntimeError):
        publish(
            MemberUpdated(user_id=1, role="member", is_active=True),
            organisation_id=world.org.pk,
            audience=Audience.USER,
            user_id=world.member.pk,
        )


class Recorder:
    """Stands where a server process's dispatcher would, and keeps what it is handed."""

    def __init__(self) -> None:
        self.received: list[str] = []

    def receive(self, raw: str) -> None:
        self.received.append(raw)

    async def catch_up_all(self) -> None:
        pass


def test_events_are_sent_after_commit_only(world, django_capture_on_commit_callbacks):
    import asyncio

    hub = hubs.MemoryHub()
    recorder = Recorder()
    hub.dispatcher = recorder
    loop = asyncio.new_event_loop()
    hub.loop = loop
    hubs._hub = hub
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            post, _ = feed.create_post(world.member, space=world.open_space, body="hello")
        loop.run_until_complete(asyncio.sleep(0))
        assert recorder.received == []  # nothing leaves before the commit
        for callback in callbacks:
            callback()
        loop.run_until_complete(asyncio.sleep(0.01))
        [message] = recorder.received
        assert json.loads(message)["data"]["post_id"] == post.pk
    finally:
        hubs.reset_hub()
        loop.close()


def test_every_published_event_matches_its_schema(world):
    post, _ = feed.create_post(world.member, space=world.private_space, body="Question?", kind="question")
    comment, _ = feed.create_comment(world.guest, post=post, body="Answer")
    feed.react(world.owner, post=post, kind="like")
    feed.edit_post(world.member, post=post, body="Question, edited?")
    feed.mark_answer(world.member, comment=comment)
    feed.set_pinned(world.owner, post=post, pinned=True)
    feed.share_post(world.member, post=post, space=world.open_space)
    feed.delete_comment(world.guest, comment=comment)
    feed.delete_post(world.member, post=post)
    spaces.add_space_member(world.owner, space=world.private_space, user=world.nonmember)
    spaces.remove_space_member(world.owner, space=world.private_space, user=world.nonmember)
    spaces.update_space(world.owner, space=world.private_space, name="Renamed")
    deactivate_member(world.owner, member=world.nonmember)
    schemas = registry()
    seen = set()
    for event in Event.objects.filter(organisation=world.org).order_by("seq"):
        schema = schemas[event.type]
        schema.model_validate({"type": event.type, **event.data})
        seen.add(event.type)
    assert seen >= {
        "post.created", "post.updated", "post.deleted", "comment.created", "comment.updated", "comment.deleted",
        "reaction.changed", "space.member_added", "space.member_removed", "space.updated", "member.deactivated",
    }  # fmt: skip


def _view(items: list[dict]) -> dict[int, dict]:
    keys = ("body_html", "comment_count", "reactions", "pinned", "answered", "edited_at")
    return {i["id"]: {k: i[k] for k in keys} for i in items}


def test_a_client_applying_the_events_reaches_a_fresh_fetch(world, api_client_for):
    client = api_client_for(world.member)
    url = f"/api/v1/spaces/{world.open_space.pk}/posts?limit=100"
    state = _view(client.get(url).json()["items"])
    start = Event.objects.filter(organisation=world.org).count()
    first, _ = feed.create_post(world.member, space=world.open_space, body="First *post*")
    second, _ = feed.create_post(world.owner, space=world.open_space, body="Second", kind="question")
    feed.react(world.owner, post=first, kind="love")
    feed.react(world.nonmember, post=first, kind="like")
    feed.react(world.nonmember, post=first, kind="like")  # toggled off again
    answer, _ = feed.create_comment(world.member, post=second, body="Yes")
    feed.create_comment(world.nonmember, post=second, body="No", parent=answer)
    feed.mark_answer(world.owner, comment=answer)
    feed.edit_post(world.member, post=first, body="First post, edited")
    feed.set_pinned(world.owner, post=second, pinned=True)
    third, _ = feed.create_post(world.member, space=world.open_space, body="Third")
    feed.delete_post(world.member, post=third)
    for event in Event.objects.filter(organisation=world.org).order_by("seq")[start:]:
        data = event.data
        if event.type == "post.created":
            state[data["post_id"]] = {
                "body_html": data["body_html"],
                "comment_count": 0,
                "reactions": {},
                "pinned": False,
                "answered": False,
                "edited_at": None,
            }
        elif event.type == "post.updated":
            state[data["post_id"]].update(
                body_html=data["body_html"],
                pinned=data["pinned"],
                answered=data["answered"],
                edited_at=data["edited_at"],
            )
        elif event.type == "post.deleted":
            state.pop(data["post_id"], None)
        elif event.type in ("comment.created", "comment.deleted"):
            state[data["post_id"]]["comment_count"] = data["comment_count"]
        elif event.type == "reaction.changed":
            state[data["post_id"]]["reactions"] = data["reactions"]
    fresh = _view(client.get(url).json()["items"])
    for item in [*fresh.values(), *state.values()]:
        # The API writes milliseconds, the event log microseconds: compare the instant.
        when = item["edited_at"] and datetime.fromisoformat(item["edited_at"].replace("Z", "+00:00"))
        item["edited_at"] = when and when.replace(microsecond=when.microsecond // 1000 * 1000)
    assert state == fresh


def test_each_redis_database_has_its_own_live_channel() -> None:
    # Pub/sub ignores database numbers: installations sharing a Redis server must not hear each other.
    assert hubs.channel_for("redis://127.0.0.1:6379/3") == "alveole:live:3"
    assert hubs.channel_for("redis://127.0.0.1:6379?db=5") == "alveole:live:5"
    assert hubs.channel_for("redis://127.0.0.1:6379") == "alveole:live:0"
