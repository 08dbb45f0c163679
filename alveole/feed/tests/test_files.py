"""Uploads: checked by size and content, stored under generated names, served through an access check."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from alveole.feed import actions
from alveole.feed.files import storage_root
from alveole.feed.models import Attachment

pytestmark = pytest.mark.django_db


def png_bytes(size: tuple[int, int] = (800, 600)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (217, 142, 4)).save(buffer, "PNG")
    return buffer.getvalue()


def stored_files() -> list[Path]:
    root = storage_root()
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def upload(client, name: str, content: bytes):
    # The name goes both in the multipart header (which Django cuts to its last part) and as the
    # explicit `name` field the web client sends, which is checked as given.
    return client.post("/api/v1/files", {"file": SimpleUploadedFile(name, content), "name": name})


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_an_image_is_stored_under_a_generated_name_with_a_thumbnail(world, api_client_for):
    response = upload(api_client_for(world.member), "holiday photo.png", png_bytes())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["is_image"] and body["width"] == 800 and body["content_type"] == "image/png"
    attachment = Attachment.objects.get(pk=body["id"])
    assert "holiday" not in attachment.storage_name and attachment.storage_name.endswith(".png")
    assert len(stored_files()) == 2  # the original and its thumbnail
    with Image.open(storage_root() / attachment.thumbnail_name) as thumb:
        assert max(thumb.size) <= 640


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("big.pdf", b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 1), "the limit is 1 MB"),
        ("cat.png", b"MZ\x90\x00\x03" + b"\x00" * 200, "Programs and scripts"),
        ("cat.png", b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "Programs and scripts"),
        ("run.txt", b"#!/bin/sh\nrm -rf /\n", "Programs and scripts"),
        ("../../etc/passwd", b"hello", "folder parts"),
        ("..\\windows.txt", b"hello", "folder parts"),
        ("fake.png", b"\x89PNG\r\n\x1a\nnot really", "damaged"),
        ("blob.bin", b"\x00\x01\x02\x03\xff\xfe" * 50, "not accepted"),
        ("empty.txt", b"", "empty"),
    ],
)
def test_bad_uploads_get_a_clear_4xx_and_nothing_is_stored(world, api_client_for, settings, name, content, message):
    settings.ALVEOLE_UPLOAD_MAX_BYTES = 1024 * 1024
    response = upload(api_client_for(world.member), name, content)
    assert 400 <= response.status_code < 500, response.content
    assert message in response.json()["message"]
    assert stored_files() == []
    assert not Attachment.objects.exists()


def test_the_default_size_limit_is_25_mib():
    from alveole import settings as production_settings

    assert production_settings.ALVEOLE_UPLOAD_MAX_BYTES == 25 * 1024 * 1024


def test_office_documents_are_recognised_by_content(world, api_client_for):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    response = upload(api_client_for(world.member), "report.docx", buffer.getvalue())
    assert response.status_code == 201
    assert response.json()["content_type"].endswith("wordprocessingml.document")


def test_files_are_served_only_to_people_who_can_see_the_post(world, api_client_for, client_for):
    attachment_id = upload(api_client_for(world.owner), "plan.png", png_bytes()).json()["id"]
    # Before it is attached, only the uploader can fetch it.
    url = f"/files/{attachment_id}/plan.png"
    assert client_for(world.member).get(url).status_code == 404
    actions.create_post(world.owner, space=world.private_space, body="The plan", attachment_ids=[attachment_id])
    for user, status in [
        (world.member, 200),
        (world.guest, 200),
        (world.nonmember, 404),
        (world.admin, 404),
        (world.other, 404),
        (None, 404),
    ]:
        response = client_for(user).get(url)
        assert response.status_code in ((302,) if user is None and status == 404 else ()) + (status,), user
    response = client_for(world.member).get(url)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert "sandbox" in response["Content-Security-Policy"]
    assert client_for(world.member).get(f"/files/{attachment_id}/thumbnail").status_code == 200


def test_non_images_are_downloaded_not_displayed(world, api_client_for, client_for):
    attachment_id = upload(api_client_for(world.owner), "notes.txt", b"<script>alert(1)</script>").json()["id"]
    actions.create_post(world.owner, space=world.private_space, body="Notes", attachment_ids=[attachment_id])
    response = client_for(world.member).get(f"/files/{attachment_id}/notes.txt")
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"].startswith("text/plain")


def test_a_file_cannot_be_attached_twice_or_by_someone_else(world, api_client_for):
    attachment_id = upload(api_client_for(world.owner), "a.txt", b"hello").json()["id"]
    from alveole.core.errors import Invalid

    with pytest.raises(Invalid):
        actions.create_post(world.member, space=world.private_space, body="Stolen", attachment_ids=[attachment_id])
    actions.create_post(world.owner, space=world.private_space, body="Mine", attachment_ids=[attachment_id])
    with pytest.raises(Invalid):
        actions.create_post(world.owner, space=world.private_space, body="Again", attachment_ids=[attachment_id])


def test_a_file_the_disk_cannot_hold_leaves_nothing_and_answers_507(world, api_client_for):
    """A real write failure: the process may not write more than 300 KiB to any file (as a full
    volume would refuse), and the upload is 700 KiB."""
    import resource
    import signal

    client = api_client_for(world.member)
    content = b"%PDF-1.7\n" + b"0" * (700 * 1024)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (300 * 1024, hard))
    try:
        response = upload(client, "minutes.pdf", content)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)
    assert response.status_code == 507, response.content
    assert response.json()["code"] == "storage_full" and "Nothing was saved" in response.json()["message"]
    assert stored_files() == [] and not Attachment.objects.exists()
