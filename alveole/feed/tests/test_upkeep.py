"""Upkeep of stored files: uploads never attached, and bytes no row names, go after ALVEOLE_UNSENT_FILES_HOURS."""

from __future__ import annotations

import io
import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

from alveole.conversations import actions as conversations
from alveole.conversations.models import MessageAttachment
from alveole.core.periodic import schedule
from alveole.feed import actions
from alveole.feed.files import storage_root
from alveole.feed.jobs import purge_unsent_uploads, sweep_unnamed_files
from alveole.feed.models import Attachment
from alveole.testing import World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ALVEOLE_UNSENT_FILES_HOURS = 24


def stored() -> set[str]:
    root = storage_root()
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _upload(actor, name: str = "notes.txt") -> Attachment:
    return actions.upload_attachment(actor, stream=io.BytesIO(b"hello"), name=name, size=5)


def test_uploads_never_attached_go_after_the_cutoff_with_their_bytes(world: World, django_capture_on_commit_callbacks):
    day_ago = timezone.now() - timedelta(hours=25)
    with time_machine.travel(day_ago, tick=False):
        forgotten = _upload(world.member, "forgotten.txt")
        assert forgotten.storage_name in stored()
        posted = _upload(world.member, "posted.txt")
        actions.create_post(world.member, space=world.open_space, body="See the file", attachment_ids=[posted.pk])
        conversation, _ = conversations.start_conversation(world.member, people_ids=[world.nonmember.pk], body="Hi")
        unsent = conversations.upload_file(
            world.member, conversation=conversation, stream=io.BytesIO(b"draft"), name="draft.txt", size=5
        )
    fresh = _upload(world.member, "fresh.txt")
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_unsent_uploads.call() == 2
    assert set(Attachment.objects.values_list("pk", flat=True)) == {posted.pk, fresh.pk}
    assert not MessageAttachment.objects.filter(pk=unsent.pk).exists()
    assert stored() == {posted.storage_name, fresh.storage_name}
    # Run again, it finds nothing left to do.
    assert purge_unsent_uploads.call() == 0


def test_a_file_attached_meanwhile_keeps_its_row_and_bytes(world: World, django_capture_on_commit_callbacks):
    with time_machine.travel(timezone.now() - timedelta(hours=30), tick=False):
        late = _upload(world.member)
    actions.create_post(world.member, space=world.open_space, body="Just in time", attachment_ids=[late.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_unsent_uploads.call() == 0
    assert Attachment.objects.filter(pk=late.pk).exists() and late.storage_name in stored()


def _age(path: Path, hours: int) -> None:
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def test_the_sweep_removes_only_old_files_no_row_names(world: World):
    kept = _upload(world.member)
    root = storage_root()
    stranger = root / "1" / "2020" / "01" / "left-by-a-crash.png"
    partial = root / "1" / "2020" / "01" / "cut-short.png.part"
    recent = root / "1" / "2020" / "01" / "being-written.png"
    for path in (stranger, partial, recent):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    for path in (stranger, partial, root / kept.storage_name):
        _age(path, 48)
    assert sweep_unnamed_files.call() == 2
    assert stored() == {kept.storage_name, str(recent.relative_to(root))}
    assert sweep_unnamed_files.call() == 0


def test_both_jobs_are_on_the_schedule():
    paths = dict(schedule())
    assert paths["alveole.feed.jobs.purge_unsent_uploads"] == 3600
    assert paths["alveole.feed.jobs.sweep_unnamed_files"] == 6 * 3600
