"""Reactions, files and "typing" on direct messages (issue 16): through the API, the pages and live."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from alveole.conversations import actions
from alveole.conversations.events import MessageReacted
from alveole.conversations.models import Message, MessageAttachment, MessageReaction
from alveole.feed.files import storage_root
from alveole.live.events import registry
from alveole.live.models import Audience, Event
from alveole.realtime.dispatch import Connection, Dispatcher
from alveole.testing import World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _json(client, method: str, path: str, body: dict | None = None):
    return getattr(client, method)("/api/v1" + path, data=json.dumps(body or {}), content_type="application/json")


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (217, 142, 4)).save(buffer, "PNG")
    return buffer.getvalue()


def browser(user) -> Client:
    """Downloads are pages: a signed-in browser, not an API token."""
    client = Client()
    client.force_login(user)
    return client


def stored_files() -> list[Path]:
    root = storage_root()
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _conversation(world: World, *others) -> Any:
    conversation, _ = actions.start_conversation(world.member, people_ids=[o.pk for o in others], body="Hello")
    return conversation


# --- reactions ------------------------------------------------------------------------------------


def test_react_replace_and_remove_through_the_api(world: World, api_client_for) -> None:
    conversation = _conversation(world, world.nonmember)
    message = Message.objects.get(conversation=conversation)
    mia, noah = api_client_for(world.member), api_client_for(world.nonmember)
    added = _json(noah, "put", f"/messages/{message.pk}/reaction", {"kind": "🚀"})
    assert added.status_code == 200, added.content
    assert added.json()["reactions"] == [{"emoji": "🚀", "count": 1, "mine": True}]
    assert added.json()["my_reaction"] == "🚀"
    _json(mia, "put", f"/messages/{message.pk}/reaction", {"kind": "like"})  # a former kind's name
    replaced = _json(noah, "put", f"/messages/{message.pk}/reaction", {"kind": "👍"})
    assert replaced.json()["reactions"] == [{"emoji": "👍", "count": 2, "mine": True}]
    assert MessageReaction.objects.filter(message=message).count() == 2  # one per person
    listed = mia.get(f"/api/v1/conversations/{conversation.pk}/messages").json()["items"][0]
    assert listed["reactions"] == [{"emoji": "👍", "count": 2, "mine": True}] and listed["my_reaction"] == "👍"
    removed = noah.delete(f"/api/v1/messages/{message.pk}/reaction")
    assert removed.status_code == 200
    assert removed.json()["reactions"] == [{"emoji": "👍", "count": 1, "mine": False}]
    assert removed.json()["my_reaction"] is None


def test_reactions_are_refused_clearly_and_hidden_from_outsiders(world: World, api_client_for) -> None:
    message = Message.objects.get(conversation=_conversation(world, world.nonmember))
    wrong = _json(api_client_for(world.member), "put", f"/messages/{message.pk}/reaction", {"kind": "hello"})
    assert wrong.status_code == 400
    assert wrong.json()["fields"]["kind"] == "A reaction is exactly one emoji, such as 👍 or 🚀."
    for outsider in (world.owner, world.admin, world.other):
        client = api_client_for(outsider)
        assert _json(client, "put", f"/messages/{message.pk}/reaction", {"kind": "👍"}).status_code == 404
        assert client.delete(f"/api/v1/messages/{message.pk}/reaction").status_code == 404
    assert not MessageReaction.objects.exists()


def test_a_reaction_is_published_to_each_participant_only(world: World) -> None:
    conversation = _conversation(world, world.nonmember, world.owner)
    message = Message.objects.get(conversation=conversation)
    actions.leave_conversation(world.owner, conversation=conversation)
    actions.react(world.nonmember, message=message, kind="🎉")
    events = list(Event.objects.filter(type="conversation.message_reacted"))
    assert {e.user_id for e in events} == {world.member.pk, world.nonmember.pk}
    assert registry()["conversation.message_reacted"] is MessageReacted
    for event in events:
        assert event.audience == Audience.USER
        data = MessageReacted.model_validate({"type": event.type, **event.data})
        assert data.reactions == {"🎉": 1} and data.order == ["🎉"] and data.user_id == world.nonmember.pk
        assert data.mine == ("🎉" if event.user_id == world.nonmember.pk else None)


def test_the_page_toggles_a_reaction_without_javascript_and_as_a_fragment(world: World, client) -> None:
    message = Message.objects.get(conversation=_conversation(world, world.nonmember))
    client.force_login(world.nonmember)
    url = f"/messages/message/{message.pk}/react/"
    answer = client.post(url, {"kind": "💡"})
    assert answer.status_code == 302 and answer["Location"].endswith(f"#message-{message.pk}")
    page = client.get(f"/messages/{message.conversation_id}/").content.decode()
    assert 'aria-pressed="true" data-emoji="💡"' in page
    fragment = client.post(url, {"kind": "💡"}, headers={"X-Alveole-Fragment": "1"})  # again: removed
    assert fragment.status_code == 200 and "data-message-reactions" in fragment.content.decode()
    assert not MessageReaction.objects.exists()
    refused = client.post(url, {"kind": "nope"}, headers={"X-Alveole-Fragment": "1"})
    assert refused.status_code == 400 and "exactly one emoji" in refused.content.decode()


# --- files ----------------------------------------------------------------------------------------


def _upload(client, conversation_id: int, name: str, content: bytes):
    return client.post(f"/api/v1/conversations/{conversation_id}/files", {"file": SimpleUploadedFile(name, content)})


def test_send_a_file_and_only_participants_download_it(world: World, api_client_for) -> None:
    conversation = _conversation(world, world.nonmember)
    mia = api_client_for(world.member)
    uploaded = _upload(mia, conversation.pk, "plan.png", png_bytes())
    assert uploaded.status_code == 201, uploaded.content
    file = uploaded.json()
    assert file["is_image"] and not file["sent"]
    # Not sent yet: only its uploader sees it.
    assert browser(world.nonmember).get(file["url"]).status_code == 404
    sent = _json(mia, "post", f"/conversations/{conversation.pk}/messages", {"attachment_ids": [file["id"]]})
    assert sent.status_code == 201, sent.content
    assert sent.json()["body"] == "" and [f["name"] for f in sent.json()["files"]] == ["plan.png"]
    download = browser(world.nonmember).get(file["url"])
    assert download.status_code == 200 and download["Content-Type"] == "image/png"
    assert download["X-Content-Type-Options"] == "nosniff" and "sandbox" in download["Content-Security-Policy"]
    assert download.getvalue() == png_bytes()
    assert browser(world.nonmember).get(file["thumbnail_url"]).status_code == 200
    # Anyone else, the organisation's owner and admin included, finds nothing there.
    for outsider in (world.owner, world.admin, world.guest, world.other):
        assert browser(outsider).get(file["url"]).status_code == 404
        assert browser(outsider).get(file["thumbnail_url"]).status_code == 404
    # Someone who left no longer downloads it.
    actions.leave_conversation(world.nonmember, conversation=conversation)
    assert browser(world.nonmember).get(file["url"]).status_code == 404
    # A file already sent cannot be sent again.
    again = _json(mia, "post", f"/conversations/{conversation.pk}/messages", {"attachment_ids": [file["id"]]})
    assert again.status_code == 400 and "upload it again" in again.json()["fields"]["attachment_ids"]


def test_programs_and_other_conversations_uploads_are_refused(world: World, api_client_for) -> None:
    conversation = _conversation(world, world.nonmember)
    mia = api_client_for(world.member)
    program = _upload(mia, conversation.pk, "tool.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200)
    assert program.status_code == 400 and "Programs and scripts" in program.json()["fields"]["file"]
    assert _upload(api_client_for(world.owner), conversation.pk, "a.txt", b"hello").status_code == 404
    other = _conversation(world, world.owner)
    elsewhere = _upload(mia, other.pk, "a.txt", b"hello").json()
    sent = _json(mia, "post", f"/conversations/{conversation.pk}/messages", {"attachment_ids": [elsewhere["id"]]})
    assert sent.status_code == 400
    assert stored_files() and MessageAttachment.objects.count() == 1


def test_too_many_files_are_refused(world: World, api_client_for, settings) -> None:
    settings.ALVEOLE_MESSAGE_FILES_MAX = 1
    conversation = _conversation(world, world.nonmember)
    mia = api_client_for(world.member)
    ids = [_upload(mia, conversation.pk, f"{i}.txt", b"hello").json()["id"] for i in range(2)]
    sent = _json(mia, "post", f"/conversations/{conversation.pk}/messages", {"attachment_ids": ids})
    assert sent.status_code == 400 and sent.json()["fields"]["files"] == "Attach at most 1 file to a message."


def test_deleting_a_message_removes_its_files(world: World, api_client_for, django_capture_on_commit_callbacks) -> None:
    conversation = _conversation(world, world.nonmember)
    mia = api_client_for(world.member)
    file = _upload(mia, conversation.pk, "plan.png", png_bytes()).json()
    message_id = _json(
        mia, "post", f"/conversations/{conversation.pk}/messages", {"attachment_ids": [file["id"]]}
    ).json()["id"]
    assert len(stored_files()) == 2  # the file and its thumbnail
    with django_capture_on_commit_callbacks(execute=True):
        assert mia.delete(f"/api/v1/messages/{message_id}").status_code == 204
    assert stored_files() == [] and not MessageAttachment.objects.exists()
    assert browser(world.nonmember).get(file["url"]).status_code == 404


def test_the_page_sends_files_with_a_message(world: World, client) -> None:
    conversation = _conversation(world, world.nonmember)
    client.force_login(world.member)
    answer = client.post(
        f"/messages/{conversation.pk}/send/",
        {
            "body": "",
            "files": [SimpleUploadedFile("notes.txt", b"some notes"), SimpleUploadedFile("p.png", png_bytes())],
        },
    )
    assert answer.status_code == 302, answer.content
    message = Message.objects.latest("id")
    assert sorted(message.attachments.values_list("original_name", flat=True)) == ["notes.txt", "p.png"]
    page = client.get(f"/messages/{conversation.pk}/").content.decode()
    assert (
        "notes.txt" in page and f"/messages/files/{message.attachments.get(original_name='p.png').pk}/thumbnail" in page
    )
    refused = client.post(
        f"/messages/{conversation.pk}/send/", {"body": "x", "files": [SimpleUploadedFile("a.sh", b"#!/bin/sh\n")]}
    )
    assert refused.status_code == 400 and "Programs and scripts" in refused.content.decode()
    assert Message.objects.filter(conversation=conversation).count() == 2 and len(stored_files()) == 3


# --- typing ---------------------------------------------------------------------------------------


class _Hub:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, message: str) -> None:
        self.sent.append(message)


def _socket(dispatcher: Dispatcher, user, spaces: set[int]) -> Connection:
    conn = Connection(user_id=user.pk, org_id=user.organisation_id, is_guest=user.is_guest, spaces=spaces)
    conn.buffer = None  # live
    dispatcher.by_org.setdefault(user.organisation_id, set()).add(conn)
    return conn


def _received(conn: Connection) -> list[dict]:
    out = []
    while not conn.queue.empty():
        raw = conn.queue.get_nowait()
        if raw is not None:
            out.append(json.loads(raw))
    return out


def test_typing_reaches_the_other_participants_only_and_is_not_stored(
    world: World, api_client_for, monkeypatch
) -> None:
    from alveole.live import hubs

    hub = _Hub()
    monkeypatch.setattr(hubs, "_hub", hub)
    cache.clear()  # the throttle of an earlier test with the same ids
    conversation = _conversation(world, world.nonmember)
    events_before = Event.objects.count()
    mia = api_client_for(world.member)
    assert _json(mia, "post", f"/conversations/{conversation.pk}/typing").status_code == 204
    assert _json(mia, "post", f"/conversations/{conversation.pk}/typing").status_code == 204  # dropped: too soon
    assert Event.objects.count() == events_before  # nothing in the durable log
    assert len(hub.sent) == 1
    assert _json(api_client_for(world.owner), "post", f"/conversations/{conversation.pk}/typing").status_code == 404

    dispatcher = Dispatcher()
    everyone = {world.open_space.pk, world.private_space.pk}
    sockets = {
        u.pk: _socket(dispatcher, u, everyone) for u in (world.member, world.nonmember, world.owner, world.admin)
    }
    dispatcher._deliver_ephemeral(json.loads(hub.sent[0]), hub.sent[0])
    got = {pk: _received(conn) for pk, conn in sockets.items()}
    assert got[world.nonmember.pk] == [
        {
            "kind": "ephemeral",
            "type": "typing",
            "org": world.org.pk,
            "users": [world.nonmember.pk],
            "conversation_id": conversation.pk,
            "user_id": world.member.pk,
            "name": world.member.full_name,
        }
    ]
    assert got[world.member.pk] == got[world.owner.pk] == got[world.admin.pk] == []
