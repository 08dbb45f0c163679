"""The organisation's policies: their vocabulary, read by every floor.

The values live on `orgs.Organisation`; apps below `orgs` read them through
`user.organisation.<field>` or `space.organisation.<field>` and never import `orgs`, so the
choices and the file families they are checked against sit here, in the kernel.
"""

from __future__ import annotations

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

StrOrPromise = str | Promise


class SpaceCreators(models.TextChoices):
    MEMBERS = "members", _("Everyone but guests")
    MANAGERS = "managers", _("Space managers and admins")
    ADMINS = "admins", _("Admins only")


class GuestAdders(models.TextChoices):
    ADMINS = "admins", _("Admins only")
    MANAGERS = "managers", _("Space managers and admins")
    MEMBERS = "members", _("Any member of the space")


# Every family is a subset of what feed/files.py recognises by content; together they are all of it.
FILE_FAMILIES: dict[str, tuple[StrOrPromise, frozenset[str], str]] = {
    "images": (
        _("Images (PNG, JPEG, GIF, WebP)"),
        frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"}),
        ".png,.jpg,.jpeg,.gif,.webp",
    ),
    "pdf": (_("PDF"), frozenset({"application/pdf"}), ".pdf"),
    "office": (
        _("Office documents (Word, Excel, PowerPoint, OpenDocument)"),
        frozenset({
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "application/vnd.oasis.opendocument.text",
            "application/vnd.oasis.opendocument.spreadsheet",
            "application/vnd.oasis.opendocument.presentation",
        }),
        ".docx,.xlsx,.pptx,.odt,.ods,.odp",
    ),
    "text": (_("Plain text"), frozenset({"text/plain"}), ".txt,.md,.csv"),
    "archives": (_("ZIP archives"), frozenset({"application/zip"}), ".zip"),
}  # fmt: skip


def all_file_families() -> list[str]:
    """The default: every family the deployment accepts."""
    return list(FILE_FAMILIES)


def file_family_choices() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, (label, _types, _accept) in FILE_FAMILIES.items()]


def allowed_content_types(families: list[str]) -> frozenset[str]:
    return frozenset().union(*(FILE_FAMILIES[f][1] for f in families if f in FILE_FAMILIES))


def accept_attribute(families: list[str]) -> str:
    """The upload field's `accept=`: a hint for the file picker; the bytes still decide."""
    return ",".join(FILE_FAMILIES[f][2] for f in families if f in FILE_FAMILIES)


def family_labels(families: list[str]) -> str:
    return ", ".join(str(FILE_FAMILIES[f][0]) for f in families if f in FILE_FAMILIES)
