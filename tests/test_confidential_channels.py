"""Acceptance: confidential content reaches no guest and no email body, whatever the channel.

Every channel that carries content is walked: the API, the pages, search, live events (the in-memory
hub feeding a real dispatcher), notification emails and digests, the calendar feed, shares and exports.
A confidential space (a project with a task and a milestone) and a post raised to Confidential in an
open space hold marked text; the guest, and every email, must never show it.
"""

from __future__ import annotations

import asyncio
import datetime
import json
from dataclasses import dataclass
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.core import mail
from django.db import connections
from django.utils import timezone

from alveole.factories import TEST_PASSWORD
from alveole.feed import actions as feed
from alveole.feed.models import Post
from alveole.live import hubs
from alveole.live.hubs import MemoryHub
from alveole.mail import actions as mail_actions
from alveole.mail import outbound
from alveole.notifications import actions as notification_actions
from alveole.notifications.models import Notification
from alveole.projects import actions as projects
from alveole.projects.calendar import build
from alveole.realtime.dispatch import Connection, Dispatcher, load_access
from alveole.spaces import actions as spaces
from alveole.spaces.labels import CONFIDENTIAL_PLACEHOLDER
from alveole.spaces.models import Label, Space
from alveole.testing import World

SECRET = "ZEPHYR"  # in every confidential text: it must never reach the guest nor an email
PLACEHOLDER = str(CONFIDENTIAL_PLACEHOLDER)


@dataclass
class Scene:
    board: Space  # confidential project space: owner (manager) and member
    board_post: Post  # in the board, mentions the member
    raised_post: Post  # in the open space, raised to Confidential, mentions the owner
    internal_post: Post  # in the private space the guest shares


def confidential(world: World) -> Label:
    return Label.objects.get(organisation=world.org, name="Confidential")


def make_scene(world: World) -> Scene:
    board = spaces.create_space(world.owner, name="Board", kind="project", label=confidential(world))
    spaces.add_space_member(world.owner, space=board, user=world.member)
    for space in (board, world.open_space, world.private_space):
        mail_actions.set_email_content(world.owner, space=space, include_content=True)  # text would go out…
    board_post, _ = feed.create_post(world.owner, space=board, body=f"{SECRET} board minutes @{world.member.handle}")
    raised_post, _ = feed.create_post(
        world.member,
        space=world.open_space,
        body=f"{SECRET} salaries @{world.owner.handle}",
        label=confidential(world),
    )
    feed.create_comment(world.member, post=board_post, body=f"{SECRET} reply @{world.owner.handle}")
    internal_post, _ = feed.create_post(world.owner, space=world.private_space, body="Kick-off on Monday")
    due = timezone.localdate() + datetime.timedelta(days=3)
    projects.create_task(world.owner, space=board, title=f"{SECRET} task", due_date=due, assignee_ids=[world.member.pk])
    projects.create_milestone(world.owner, space=board, title=f"{SECRET} milestone", date=due)
    return Scene(board, board_post, raised_post, internal_post)


@pytest.fixture
def scene(world, django_capture_on_commit_callbacks) -> Scene:
    with django_capture_on_commit_callbacks(execute=True):  # the notification jobs run, as the worker would
        return make_scene(world)


# --- API, pages, search ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_guest_reaches_no_confidential_content_through_the_api(world, scene, api_client_for):
    guest = api_client_for(world.guest)
    for path in ("/feed", f"/spaces/{world.private_space.pk}/posts", f"/search?q={SECRET}", "/notifications"):
        response = guest.get("/api/v1" + path)
        assert response.status_code == 200, path
        assert SECRET not in response.content.decode(), path
    for post in (scene.board_post, scene.raised_post):
        assert guest.get(f"/api/v1/posts/{post.pk}").status_code == 404
        assert guest.get(f"/api/v1/posts/{post.pk}/comments").status_code == 404
    assert guest.get(f"/api/v1/spaces/{scene.board.pk}").status_code == 404
    # Members read it, marked.
    member = api_client_for(world.member)
    body = member.get(f"/api/v1/posts/{scene.raised_post.pk}").json()
    assert body["confidential"] is True and body["label_id"] == confidential(world).pk
    assert member.get(f"/api/v1/spaces/{scene.board.pk}").json()["confidential"] is True
    assert member.get(f"/api/v1/search?q={SECRET}").json()["items"]


@pytest.mark.django_db
def test_the_guest_reaches_no_confidential_content_through_the_pages(world, scene, client_for):
    guest = client_for(world.guest)
    # (The search page repeats its query: it searches for words of the confidential posts instead.)
    for path in ("/", f"/spaces/{world.private_space.pk}/", "/search/?q=salaries", "/notifications/", "/tasks/"):
        response = guest.get(path)
        assert response.status_code == 200, path
        assert SECRET not in response.content.decode(), path
    for path in (f"/posts/{scene.board_post.pk}/", f"/posts/{scene.raised_post.pk}/", f"/spaces/{scene.board.pk}/"):
        assert guest.get(path).status_code == 404, path
    # The members' pages carry the label.
    page = client_for(world.member).get(f"/posts/{scene.raised_post.pk}/").content.decode()
    assert SECRET in page and "badge-confidential" in page


@pytest.mark.django_db
def test_no_guest_is_let_into_confidential_content(world, scene, api_client_for):
    owner = api_client_for(world.owner)
    added = owner.post(f"/api/v1/spaces/{scene.board.pk}/members", {"user_id": world.guest.pk}, "application/json")
    assert added.status_code == 409
    # A space holding a confidential post takes no guest either.
    added = owner.post(f"/api/v1/spaces/{world.open_space.pk}/members", {"user_id": world.guest.pk}, "application/json")
    assert added.status_code == 409
    # Raising the guest's space is refused, naming the guest; so is a confidential post there.
    raised = owner.patch(
        f"/api/v1/spaces/{world.private_space.pk}", {"label_id": confidential(world).pk}, "application/json"
    )
    assert raised.status_code == 409 and world.guest.full_name in raised.json()["message"]
    post = owner.post(
        "/api/v1/posts",
        {"space_id": world.private_space.pk, "body": SECRET, "label_id": confidential(world).pk},
        "application/json",
    )
    assert post.status_code == 409
    assert not Post.objects.filter(space=world.private_space, body=SECRET).exists()


# --- share, exports --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_confidential_posts_are_not_shared_out_of_their_space(world, scene, api_client_for):
    member = api_client_for(world.member)
    for target in ({"space_id": world.private_space.pk}, {}):
        response = member.post(f"/api/v1/posts/{scene.raised_post.pk}/shares", target, "application/json")
        assert response.status_code == 403, target
    assert not Post.objects.filter(shared_post__in=[scene.raised_post, scene.board_post]).exists()


@pytest.mark.django_db
def test_guests_and_members_cannot_export_the_organisation(world, scene, api_client_for):
    for user in (world.guest, world.member):
        response = api_client_for(user).post(
            "/api/v1/organisation/export", {"password": TEST_PASSWORD}, "application/json"
        )
        assert response.status_code == 403


# --- emails, digests, calendar -----------------------------------------------------------------------


@pytest.fixture
def always_working(settings):
    settings.ALVEOLE_EMAIL_DELAY_MINUTES = 2
    settings.ALVEOLE_EMAIL_BATCH_MINUTES = 10

    def make(user):
        notification_actions.update_settings(
            user, work_days=list(range(7)), work_start=datetime.time(0, 0), work_end=datetime.time(23, 59, 59, 999999)
        )

    return make


def _every_part(message) -> str:
    return "\n".join([message.subject, message.body, *(str(html) for html, _type in message.alternatives)])


@pytest.mark.django_db
def test_no_email_body_carries_confidential_content(world, scene, always_working):
    for user in (world.owner, world.member):
        always_working(user)
    assert Notification.objects.filter(user__in=[world.owner, world.member]).count() >= 2
    mail.outbox.clear()
    sent = outbound.send_notification_emails(now=timezone.now() + datetime.timedelta(minutes=3))
    assert sent >= 2
    about_posts = 0
    for message in mail.outbox:
        text = _every_part(message)
        assert SECRET not in text
        if "/posts/" in message.body:  # about a post: the label, the placeholder and the link that opens it
            assert PLACEHOLDER in message.body and "[Confidential]" in message.body
            about_posts += 1
    assert about_posts >= 2


@pytest.mark.django_db
def test_no_digest_carries_confidential_content(world, scene):
    for user in (world.owner, world.member):
        notification_actions.update_settings(user, email_mode="daily")
    Notification.objects.update(emailed_at=None)
    monday_9am = datetime.datetime(2030, 6, 3, 9, 0, tzinfo=datetime.UTC)
    Notification.objects.update(created_at=monday_9am, updated_at=monday_9am)
    Post.objects.update(created_at=monday_9am, published_at=monday_9am)
    mail.outbox.clear()
    assert outbound.send_digest_emails(now=monday_9am + datetime.timedelta(minutes=5)) >= 1
    for message in mail.outbox:
        assert SECRET not in _every_part(message)
    assert any(PLACEHOLDER in m.body for m in mail.outbox)


@pytest.mark.django_db
def test_the_calendar_feed_carries_no_confidential_text(world, scene, client):
    token = projects.rotate_calendar_token(world.member)
    text = client.get(f"/calendar/{token}.ics").content.decode()
    assert SECRET not in text
    assert "Task due" in text and "Milestone" in text  # the dates are still there
    assert build(world.member).decode().count("Confidential content") >= 2


# --- live events ----------------------------------------------------------------------------------


def _received(conn: Connection) -> list[dict[str, Any]]:
    out = []
    while not conn.queue.empty():
        raw = conn.queue.get_nowait()
        if raw is not None:
            out.append(json.loads(raw))
    return out


async def _settle(dispatcher: Dispatcher) -> None:
    for _ in range(400):
        await asyncio.sleep(0.005)
        if not dispatcher.paused and not dispatcher.held:
            return
    raise AssertionError("the dispatcher did not settle")


async def _socket(dispatcher: Dispatcher, user_id: int, org_id: int) -> Connection:
    state = await sync_to_async(load_access)(user_id)
    assert state is not None
    conn = Connection(
        user_id=user_id, org_id=org_id, is_guest=state[0], spaces=set(state[1]), member_spaces=set(state[2])
    )
    await dispatcher.track(org_id)
    dispatcher.register(conn)
    conn.go_live(dispatcher.expected[org_id] - 1)
    return conn


@pytest.mark.django_db(transaction=True)
def test_no_live_event_carries_confidential_content_to_a_guest(world):
    async def main() -> None:
        dispatcher, hub = Dispatcher(), MemoryHub()
        await hub.start(dispatcher)
        previous, hubs._hub = hubs._hub, hub
        try:
            guest = await _socket(dispatcher, world.guest.pk, world.org.pk)
            member = await _socket(dispatcher, world.member.pk, world.org.pk)
            await sync_to_async(make_scene)(world)
            await _settle(dispatcher)
            # A post in the guest's space, then the raised post edited: the guest's socket still works.
            await sync_to_async(feed.create_post)(world.owner, space=world.private_space, body="Lunch at noon")
            await _settle(dispatcher)
            to_guest = _received(guest)
            to_member = _received(member)
            assert to_guest, "the guest's socket received nothing at all"
            assert SECRET not in json.dumps(to_guest)
            assert any(e.get("data", e).get("type") == "post.created" for e in to_guest) or "Lunch" in json.dumps(
                to_guest
            )
            assert SECRET in json.dumps(to_member)  # the member is a reader of both
        finally:
            hubs._hub = previous
            for task in dispatcher.tasks:
                task.cancel()
            await sync_to_async(connections.close_all)()

    asyncio.run(main())
