"""@handles: derived from a person's name, unique within their organisation."""

from __future__ import annotations

import re
import unicodedata

from .models import User

MAX_LENGTH = 40


def base_handle(full_name: str, email: str) -> str:
    source = full_name or email.split("@")[0]
    ascii_name = unicodedata.normalize("NFKD", source).encode("ascii", "ignore").decode().lower()
    handle = re.sub(r"[^a-z0-9]+", ".", ascii_name).strip(".")
    return (handle or "user")[: MAX_LENGTH - 4]


def unique_handle(organisation_id: int, full_name: str, email: str, *, exclude_pk: int | None = None) -> str:
    base = base_handle(full_name, email)
    taken_qs = User.objects.filter(organisation_id=organisation_id, handle__startswith=base)
    if exclude_pk is not None:
        taken_qs = taken_qs.exclude(pk=exclude_pk)
    taken = set(taken_qs.values_list("handle", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base}{n}" in taken:
        n += 1
    return f"{base}{n}"
