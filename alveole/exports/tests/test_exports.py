"""Exports: who may ask, and a ZIP whose JSON matches the database, with files and pages."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image

from alveole.core.errors import Invalid, PermissionDenied
from alveole.core.models import AuditEvent
from alveole.decisions import actions as decisions
from alveole.exports import actions
from alveole.exports.jobs import exports_root
from alveole.exports.models import Export
from alveole.factories import TEST_PASSWORD
from alveole.feed import actions as feed
from alveole.feed.models import Comment, Post, Reaction
from alveole.projects import actions as projects

pytestmark = pytest.mark.django_db


def png() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (217, 142, 4)).save(buffer, "PNG")
    buffer.seek(0)
    return buffer


@pytest.fixture
def filled(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    image = feed.upload_attachment(world.owner, stream=png(), name="mockup.png", size=len(png().getvalue()))
    post, _ = feed.create_post(
        world.owner, space=world.private_space, body="The **mock-up**", attachment_ids=[image.pk]
    )
    comment, _ = feed.create_comment(world.guest, post=post, body="Nice")
    feed.create_comment(world.member, post=post, body="Agreed", parent=comment)
    feed.react(world.member, post=post, kind="love")
    feed.create_post(world.member, space=world.private_space, body="Second post")
    gone, _ = feed.create_post(world.member, space=world.private_space, body="Deleted")
    feed.delete_post(world.member, post=gone)
    projects.create_task(world.owner, space=world.private_space, title="Ship it", assignee_ids=[world.member.pk])
    poll = decisions.create_poll(
        world.owner, space=world.private_space, question="Blue or amber?", options=["Blue", "Amber"],
        closes_at=timezone.now() + timedelta(days=1), anonymous=True,
    )  # fmt: skip
    decisions.vote(world.member, poll=poll, option_ids=[poll.options.all()[1].pk])
    decisions.close_poll(world.owner, poll=poll, outcome="Amber it is")
    return world


def build(actor, space, run_jobs, password=TEST_PASSWORD) -> Export:
    export = run_jobs(actions.request_export, actor, space=space, password=password)
    export.refresh_from_db()
    return export


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def test_a_manager_exports_a_space_whose_json_matches_the_database(filled, run_jobs):
    export = build(filled.owner, filled.private_space, run_jobs)
    assert export.status == "done" and export.progress == 100
    assert AuditEvent.objects.filter(action="export.request", actor=filled.owner).exists()
    with zipfile.ZipFile(exports_root() / export.storage_name) as archive:
        names = archive.namelist()
        folder = next(n.split("/")[0] for n in names if n.endswith("/data.json"))
        data = json.loads(archive.read(f"{folder}/data.json"))
        posts = Post.objects.filter(space=filled.private_space, deleted_at__isnull=True)
        # The poll's discussion post is a post of the space too.
        assert len(data["posts"]) == posts.count()
        assert (
            sum(len(p["comments"]) for p in data["posts"])
            == Comment.objects.filter(post__in=posts, deleted_at__isnull=True).count()
        )
        assert sum(len(p["reactions"]) for p in data["posts"]) == Reaction.objects.filter(post__in=posts).count()
        assert [r for p in data["posts"] for r in p["reactions"]] == [
            {"person": filled.member.full_name, "kind": "❤️", "name": "Love"}
        ]
        assert [t["title"] for t in data["tasks"]] == ["Ship it"]
        assert [d["outcome"] for d in data["decisions"]] == ["Amber it is"]
        assert len(data["members"]) == 3
        image = next(a for p in data["posts"] for a in p["attachments"])
        assert f"{folder}/{image['path']}" in names
        page = archive.read(f"{folder}/index.html").decode()
        assert "<strong>mock-up</strong>" in page and image["path"] in page and "Amber it is" in page
        assert f'{filled.member.full_name} <span title="Love">❤️</span>' in page
        assert "index.html" in names


def test_anonymous_votes_do_not_reach_the_export(filled, run_jobs):
    export = build(filled.owner, filled.private_space, run_jobs)
    with zipfile.ZipFile(exports_root() / export.storage_name) as archive:
        folder = next(n.split("/")[0] for n in archive.namelist() if n.endswith("/data.json"))
        data = json.loads(archive.read(f"{folder}/data.json"))
    [decision] = data["decisions"]
    # Totals only: no name of anyone in the space appears in the decision's record.
    record = json.dumps(decision)
    for person in (filled.owner, filled.member, filled.guest):
        assert person.full_name not in record.replace(f'"decided_by": "{filled.owner.full_name}"', "")
    assert "Amber" in record


@pytest.mark.parametrize("role", ["member", "guest", "nonmember", "admin"])
def test_only_managers_and_owners_export_a_space(filled, role):
    with pytest.raises(PermissionDenied):
        actions.request_export(filled.user(role), space=filled.private_space, password=TEST_PASSWORD)
    assert not Export.objects.exists()


def test_the_password_is_asked_again(filled):
    with pytest.raises(Invalid):
        actions.request_export(filled.owner, space=filled.private_space, password="not my password")
    assert not Export.objects.exists()


def test_only_owners_export_everything(filled, run_jobs):
    with pytest.raises(PermissionDenied):
        actions.request_export(filled.admin, space=None, password=TEST_PASSWORD)
    export = build(filled.owner, None, run_jobs)
    with zipfile.ZipFile(exports_root() / export.storage_name) as archive:
        folders = {n.split("/")[0] for n in archive.namelist() if n.endswith("/data.json")}
    assert len(folders) == 2  # both spaces of organisation A, nothing of B


def test_exports_are_downloaded_only_by_who_asked(filled, run_jobs, client_for):
    export = build(filled.owner, filled.private_space, run_jobs)
    url = f"/exports/{export.pk}/download/"
    response = client_for(filled.owner).get(url)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert Path(exports_root() / export.storage_name).stat().st_size == export.size
    for role in ("admin", "member", "guest", "other"):
        assert client_for(filled.user(role)).get(url).status_code == 404
    assert client_for(filled.owner).get(f"/exports/{export.pk}/").status_code == 200


def test_the_web_form_refuses_a_wrong_password_with_a_message(filled, client_for):
    response = client_for(filled.owner).post(f"/spaces/{filled.private_space.pk}/export/", {"password": "wrong"})
    assert response.status_code == 400
    assert "password" in response.content.decode().lower()
