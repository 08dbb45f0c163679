"""Uploaded files: checked by size and by content, stored under generated names.

The name a person gave is kept only for display and download; the bytes decide
the type. Programs are refused whatever they are called.
"""

from __future__ import annotations

import io
import logging
import os
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from alveole.core.errors import Invalid, StorageFull

log = logging.getLogger(__name__)

THUMBNAIL_SIZE = (640, 640)
# Images a browser may show inline; anything else is downloaded.
INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
EXTENSIONS = {
    "image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp",
    "application/pdf": "pdf", "application/zip": "zip", "text/plain": "txt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}  # fmt: skip
PROGRAM_SIGNATURES = (
    b"MZ",  # Windows executables
    b"\x7fELF",  # Linux executables
    b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe",  # Mach-O
    b"\xca\xfe\xba\xbe",  # Mach-O universal / Java class
    b"#!",  # scripts
)  # fmt: skip


@dataclass
class CheckedFile:
    name: str
    content_type: str
    size: int
    width: int | None = None
    height: int | None = None


def clean_file_name(name: str) -> str:
    name = unicodedata.normalize("NFC", name or "").strip()
    if not name:
        raise Invalid(fields={"file": _("The file has no name; give it one and try again.")})
    if "/" in name or "\\" in name or ".." in name or any(ord(c) < 32 for c in name):
        raise Invalid(
            fields={
                "file": _("The file name must not contain folder parts such as ../ — rename the file and try again.")
            }
        )
    if len(name) > 200:
        raise Invalid(fields={"file": _("The file name is too long; use at most 200 characters.")})
    return name


def _office_type(head: IO[bytes]) -> str:
    """Office documents are ZIP files; tell them apart by their content listing."""
    try:
        with zipfile.ZipFile(head) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype").decode("ascii", "ignore").strip()
                if mimetype in EXTENSIONS:
                    return mimetype
            if "[Content_Types].xml" in names:
                for prefix, mime in (
                    ("word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                    ("xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                    ("ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
                ):
                    if any(n.startswith(prefix) for n in names):
                        return mime
    except zipfile.BadZipFile:
        raise Invalid(fields={"file": _("This ZIP file is damaged; check it and upload it again.")}) from None
    return "application/zip"


def sniff(stream: IO[bytes]) -> str:
    """The content type of `stream`, decided by its bytes; refuses programs and unknown types."""
    stream.seek(0)
    head = stream.read(8192)
    stream.seek(0)
    if head.startswith(PROGRAM_SIGNATURES):
        raise Invalid(fields={"file": _("Programs and scripts cannot be shared here, whatever their name.")})
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        return _office_type(stream)
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # A multi-byte character cut at the 8 KiB boundary is still text.
            if exc.start < len(head) - 4:
                raise Invalid(fields={"file": _unsupported()}) from None
        return "text/plain"
    raise Invalid(fields={"file": _unsupported()})


def _unsupported() -> str:
    return _("This kind of file is not accepted. Share images, PDF, text, office documents or ZIP archives.")


def check_upload(
    stream: IO[bytes], name: str, size: int, *, limit: int | None = None, allowed: frozenset[str] | None = None
) -> CheckedFile:
    """Check a file; `limit` and `allowed` (the organisation's policy) may only narrow the deployment's."""
    name = clean_file_name(name)
    limit = min(limit or settings.ALVEOLE_UPLOAD_MAX_BYTES, settings.ALVEOLE_UPLOAD_MAX_BYTES)
    if size > limit:
        raise Invalid(
            fields={
                "file": _("The file is %(size)s MB; the limit is %(limit)s MB. Share a smaller file or a link.")
                % {"size": round(size / 1024 / 1024, 1), "limit": limit // 1024 // 1024}
            }
        )
    if size == 0:
        raise Invalid(fields={"file": _("The file is empty.")})
    checked = CheckedFile(name=name, content_type=sniff(stream), size=size)
    if allowed is not None and checked.content_type not in allowed:
        raise Invalid(fields={"file": _("Your organisation does not accept this kind of file here.")})
    if checked.content_type in INLINE_TYPES:
        checked.width, checked.height = _image_size(stream)
    return checked


def _image_size(stream: IO[bytes]) -> tuple[int, int]:
    stream.seek(0)
    try:
        with Image.open(stream) as image:
            width, height = image.size
            if width * height > settings.ALVEOLE_IMAGE_MAX_PIXELS:
                raise Invalid(fields={"file": _("This image is too large in pixels; resize it and try again.")})
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise Invalid(fields={"file": _("This image is damaged or not really an image.")}) from None
    finally:
        stream.seek(0)
    return width, height


def storage_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "attachments"


def new_storage_name(organisation_id: int, content_type: str) -> str:
    now = timezone.now()
    return f"{organisation_id}/{now:%Y/%m}/{uuid.uuid4().hex}.{EXTENSIONS.get(content_type, 'bin')}"


def store(stream: IO[bytes], storage_name: str) -> Path:
    """Write the file whole or not at all: it is written beside its final name and renamed once
    complete, so a full disk or a crash mid-write never leaves a truncated file behind."""
    path = storage_root() / storage_name
    partial = path.with_name(path.name + ".part")
    stream.seek(0)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(partial, "xb") as out:
            while chunk := stream.read(1024 * 1024):
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        log.error("could not store an upload (%s): %s", storage_name, exc)
        raise StorageFull() from exc
    return path


@dataclass(frozen=True)
class StoredUpload:
    """A checked file, written to storage with its thumbnail (images): what a file row records."""

    checked: CheckedFile
    storage_name: str
    thumbnail_name: str

    def columns(self) -> dict[str, object]:
        """The columns of a StoredFileFields row."""
        return {
            "storage_name": self.storage_name,
            "thumbnail_name": self.thumbnail_name,
            "original_name": self.checked.name,
            "content_type": self.checked.content_type,
            "size": self.checked.size,
            "width": self.checked.width,
            "height": self.checked.height,
        }

    def discard(self) -> None:
        """Remove the bytes again: for a caller whose row could not be written (no row means no file)."""
        remove(self.storage_name)
        remove(self.thumbnail_name)


def accept(
    stream: IO[bytes], name: str, size: int, *, organisation_id: int, limit: int | None, allowed: frozenset[str] | None
) -> StoredUpload:
    """Check a file (check_upload) and store it under a new name, with a thumbnail when it is an image."""
    checked = check_upload(stream, name, size, limit=limit, allowed=allowed)
    storage_name = new_storage_name(organisation_id, checked.content_type)
    path = store(stream, storage_name)
    thumbnail = make_thumbnail(path, storage_name) if checked.width else ""
    return StoredUpload(checked=checked, storage_name=storage_name, thumbnail_name=thumbnail)


def make_thumbnail(source: Path, storage_name: str) -> str:
    """A WebP thumbnail beside the original; returns its storage name ('' if it cannot be made)."""
    thumb_name = storage_name.rsplit(".", 1)[0] + ".thumb.webp"
    try:
        with Image.open(source) as image:
            image.seek(0)
            image.thumbnail(THUMBNAIL_SIZE)
            converted = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
            buffer = io.BytesIO()
            converted.save(buffer, "WEBP", quality=80)
    except (OSError, ValueError, Image.DecompressionBombError):
        return ""
    try:
        (storage_root() / thumb_name).write_bytes(buffer.getvalue())
    except OSError:
        (storage_root() / thumb_name).unlink(missing_ok=True)
        return ""  # the original is stored; the page shows it without a thumbnail
    return thumb_name


def remove(storage_name: str) -> None:
    if storage_name:
        (storage_root() / storage_name).unlink(missing_ok=True)
