"""Direct messages in exports (issue 16): confidential by nature.

Owners' export of everything holds them only under the organisation's policy (off by default; owners
alone change it; audited); a personal export holds one's own conversations; a space's export never.
"""

from __future__ import annotations

import json
import zipfile
from html import unescape

import pytest

from alveole.conversations import actions as conversations
from alveole.core.errors import Invalid, PermissionDenied
from alveole.core.models import AuditEvent
from alveole.exports import actions, jobs
from alveole.exports.models import Export, ExportStatus
from alveole.factories import TEST_PASSWORD
from alveole.orgs import actions as orgs

pytestmark = pytest.mark.django_db

BASE_SETTINGS = {
    "name": "Acme",
    "policies": "1",
    "space_creators": "members",
    "guest_adders": "managers",
    "guests_may_post": "on",
    "upload_families": ["images", "pdf"],
    "upload_max_mb": "0",
    "edit_window_minutes": "0",
    "confidential_space_creators": "managers",
    "confidential_downloads": "on",
}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


@pytest.fixture
def talks(world):
    """member ↔ nonmember (edited, then a deleted message), and owner ↔ admin, which member is not in."""
    ours, _ = conversations.start_conversation(world.member, people_ids=[world.nonmember.pk], body="Lunch at noon?")
    edited = conversations.send_message(world.nonmember, conversation=ours, body="Yes, at the usual plce")
    conversations.edit_message(world.nonmember, message=edited, body="Yes, at the usual place")
    gone = conversations.send_message(world.member, conversation=ours, body="My door code is 4321")
    conversations.delete_message(world.member, message=gone)
    theirs, _ = conversations.start_conversation(world.owner, people_ids=[world.admin.pk], body="Salary review")
    return ours, theirs


def zip_of(export: Export) -> dict[str, bytes]:
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE, export.error
    with zipfile.ZipFile(jobs.exports_root() / export.storage_name) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def everything(files: dict[str, bytes]) -> str:
    return b"\n".join(files.values()).decode()


def set_policy(world, on: bool) -> None:
    orgs.update_organisation(world.owner, export_includes_conversations=on)
    world.owner.refresh_from_db()


def test_policy_off_by_default_keeps_conversations_out_of_the_owners_export(world, talks, media, run_jobs):
    assert world.org.export_includes_conversations is False
    export = run_jobs(actions.request_export, world.owner, space=None, password=TEST_PASSWORD)
    files = zip_of(export)
    assert not any(name.startswith("conversations/") for name in files)
    text = everything(files)
    assert "Lunch at noon" not in text and "Salary review" not in text
    manifest = json.loads(files["manifest.json"])
    assert manifest["kind"] == "organisation" and manifest["conversations_included"] is False
    assert "policy" in manifest["conversations_reason"]
    assert manifest["conversations_reason"] in unescape(files["index.html"].decode())
    assert export.conversations == 0
    assert not AuditEvent.objects.filter(action="export.conversations").exists()


def test_policy_on_puts_every_conversation_in_the_owners_export_and_audits_it(world, talks, media, run_jobs):
    set_policy(world, True)
    export = run_jobs(actions.request_export, world.owner, space=None, password=TEST_PASSWORD)
    files = zip_of(export)
    manifest = json.loads(files["manifest.json"])
    assert manifest["conversations_included"] is True and manifest["conversations"] == 2
    assert "audit" in manifest["conversations_reason"]
    data = json.loads(files["conversations/data.json"])["conversations"]
    ours = next(c for c in data if any(m["body"] == "Lunch at noon?" for m in c["messages"]))
    assert {p["name"] for p in ours["participants"]} == {world.member.full_name, world.nonmember.full_name}
    first, edited, deleted = ours["messages"]
    assert first["author"] == world.member.full_name and first["created_at"] and not first["deleted"]
    assert edited["body"] == "Yes, at the usual place" and edited["edited_at"] is not None
    assert deleted["deleted"] is True and deleted["body"] == "" and deleted["body_html"] == ""
    assert "door code" not in everything(files)  # a deleted message stays empty
    page = files["conversations/index.html"].decode()
    assert "Salary review" in page and "Lunch at noon?" in page
    assert 'href="conversations/index.html"' in files["index.html"].decode()
    export.refresh_from_db()
    assert export.conversations == 2
    [entry] = AuditEvent.objects.filter(action="export.conversations")
    assert entry.actor == world.owner and entry.data == {"export": export.pk, "conversations": 2}
    assert entry.organisation_id == world.org.pk


def test_policy_read_again_when_the_zip_is_built(world, talks, media):
    set_policy(world, True)
    # Asked while the policy was on (the test queue would build it at once: the row alone here) ...
    export = Export.objects.create(organisation=world.org, requested_by=world.owner)
    set_policy(world, False)  # ... turned off before the job ran
    jobs.build_export.call(export.pk)
    files = zip_of(export)
    assert json.loads(files["manifest.json"])["conversations_included"] is False
    assert not any(name.startswith("conversations/") for name in files)
    assert not AuditEvent.objects.filter(action="export.conversations").exists()


def test_a_space_export_never_holds_conversations(world, talks, media, run_jobs):
    set_policy(world, True)
    export = run_jobs(actions.request_export, world.owner, space=world.private_space, password=TEST_PASSWORD)
    files = zip_of(export)
    assert not any(name.startswith("conversations/") for name in files)
    manifest = json.loads(files["manifest.json"])
    assert manifest["kind"] == "space" and manifest["conversations_included"] is False
    assert "Lunch at noon" not in everything(files)
    assert not AuditEvent.objects.filter(action="export.conversations").exists()


def test_a_personal_export_holds_my_conversations_and_nobody_elses(world, talks, media, run_jobs):
    left, _ = conversations.start_conversation(
        world.nonmember, people_ids=[world.member.pk, world.owner.pk], title="Gift for Olivia", body="Ideas?"
    )
    conversations.leave_conversation(world.member, conversation=left)
    export = run_jobs(actions.request_personal_export, world.member, password=TEST_PASSWORD)
    files = zip_of(export)
    assert export.personal and export.space_id is None and export.conversations == 1
    data = json.loads(files["conversations/data.json"])["conversations"]
    assert [c["id"] for c in data] == [talks[0].pk]
    text = everything(files)
    assert "Lunch at noon?" in text and "Salary review" not in text and "Gift for Olivia" not in text
    assert not any(name.endswith("/data.json") and not name.startswith("conversations/") for name in files)
    manifest = json.loads(files["manifest.json"])
    assert manifest["kind"] == "personal" and manifest["conversations_included"] is True
    assert AuditEvent.objects.filter(action="export.personal", actor=world.member).count() == 1
    assert not AuditEvent.objects.filter(action="export.conversations").exists()


def test_a_personal_export_asks_for_the_password(world, talks, media):
    with pytest.raises(Invalid):
        actions.request_personal_export(world.member, password="wrong")
    assert not Export.objects.exists()


def test_personal_export_through_the_api_and_the_profile_page(world, talks, media, client_for, api_client_for):
    response = api_client_for(world.nonmember).post(
        "/api/v1/me/export", {"password": TEST_PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 202 and response.json()["personal"] is True
    client = client_for(world.guest)
    assert "/profile/export/" in client.get("/profile/").content.decode()
    response = client.post("/profile/export/", {"password": TEST_PASSWORD})
    assert response.status_code == 302
    export = Export.objects.get(requested_by=world.guest)
    page = client.get(response["Location"]).content.decode()
    assert "direct messages" in page
    assert export.personal and client_for(world.member).get(f"/exports/{export.pk}/").status_code == 404


def test_owners_alone_change_the_policy_through_the_api(world, api_client_for):
    for role in ("admin", "member", "guest"):
        response = api_client_for(world.user(role)).patch(
            "/api/v1/organisation", {"export_includes_conversations": True}, content_type="application/json"
        )
        assert response.status_code == 403, role
    world.org.refresh_from_db()
    assert world.org.export_includes_conversations is False
    denied = AuditEvent.objects.get(action="org.conversation_export.denied")
    assert denied.actor == world.admin and denied.data == {"new": True}
    response = api_client_for(world.owner).patch(
        "/api/v1/organisation", {"export_includes_conversations": True}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["export_includes_conversations"] is True
    [entry] = AuditEvent.objects.filter(action="org.conversation_export")
    assert entry.actor == world.owner and entry.data == {"old": False, "new": True}
    # An admin may still save the other settings, sending the policy unchanged.
    response = api_client_for(world.admin).patch(
        "/api/v1/organisation",
        {"name": "Acme SA", "export_includes_conversations": True},
        content_type="application/json",
    )
    assert response.status_code == 200


def test_owners_alone_change_the_policy_on_the_settings_page(world, client_for):
    admin = client_for(world.admin)
    page = admin.get("/admin/settings/").content.decode()
    assert 'name="export_includes_conversations"' in page and "disabled" in page
    response = admin.post("/admin/settings/", {**BASE_SETTINGS, "export_includes_conversations": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    world.org.refresh_from_db()
    assert world.org.export_includes_conversations is False  # a disabled field: the admin's value is ignored
    owner = client_for(world.owner)
    response = owner.post("/admin/settings/", {**BASE_SETTINGS, "export_includes_conversations": "on"})
    assert response.status_code == 302
    world.org.refresh_from_db()
    assert world.org.export_includes_conversations is True
    assert AuditEvent.objects.get(action="org.conversation_export").data == {"old": False, "new": True}
    owner.post("/admin/settings/", BASE_SETTINGS)  # unticked: off again
    world.org.refresh_from_db()
    assert world.org.export_includes_conversations is False
    assert AuditEvent.objects.filter(action="org.conversation_export").count() == 2


def test_an_admin_cannot_change_the_policy_through_the_action(world):
    with pytest.raises(PermissionDenied):
        orgs.update_organisation(world.admin, export_includes_conversations=True)
    assert AuditEvent.objects.filter(action="org.conversation_export.denied").count() == 1
