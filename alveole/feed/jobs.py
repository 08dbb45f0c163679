"""Scheduled upkeep of uploaded files (alveole.core.periodic finds PERIODIC)."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from alveole.core.jobs import own_transactions

from . import files
from .models import StoredFileFields

log = logging.getLogger(__name__)

BATCH = 500


def _cutoff_seconds() -> int:
    return settings.ALVEOLE_UNSENT_FILES_HOURS * 3600


@task()
@own_transactions  # batch by batch: one transaction each (SQLite would hold its write lock throughout)
def purge_unsent_uploads() -> int:
    """Delete uploads nobody attached in time (a composer closed before posting), rows then bytes.

    Every model keeping files (StoredFileFields) says which of its rows are unsent; returns how many went."""
    cutoff = timezone.now() - timedelta(seconds=_cutoff_seconds())
    removed = 0
    for model in _file_models():
        while ids := list(model.unsent_files().filter(created_at__lt=cutoff).values_list("pk", flat=True)[:BATCH]):
            with transaction.atomic():
                # The delete checks "unsent" again: a file attached meanwhile stays, and so do its bytes.
                rows = model.unsent_files().filter(pk__in=ids)
                names = list(rows.values_list("storage_name", "thumbnail_name"))
                removed += rows.delete()[1].get(model._meta.label, 0)
                kept = set(model._default_manager.filter(pk__in=ids).values_list("storage_name", flat=True))
                gone = [pair for pair in names if pair[0] not in kept]
                transaction.on_commit(lambda gone=gone: _remove(gone))  # type: ignore[misc]
    if removed:
        log.info("removed %d uploads never attached", removed)
    return removed


@task()
@own_transactions
def sweep_unnamed_files() -> int:
    """Delete stored files no row names any more, older than the same cutoff (a crash between writing the
    bytes and committing their row, or a rolled-back send). Idempotent: it only ever removes strangers."""
    root = files.storage_root()
    if not root.is_dir():
        return 0
    oldest = time.time() - _cutoff_seconds()
    candidates = [path for path in root.rglob("*") if path.is_file() and path.stat().st_mtime < oldest]
    removed = 0
    for start in range(0, len(candidates), BATCH):
        batch = {str(p.relative_to(root)): p for p in candidates[start : start + BATCH]}
        known: set[str] = set()
        for model in _file_models():
            rows = model._default_manager
            known.update(rows.filter(storage_name__in=batch).values_list("storage_name", flat=True))
            known.update(rows.filter(thumbnail_name__in=batch).values_list("thumbnail_name", flat=True))
        for name, path in batch.items():
            if name not in known:
                path.unlink(missing_ok=True)
                removed += 1
    if removed:
        log.warning("removed %d stored files that no row named", removed)
    return removed


def _file_models() -> list[type[StoredFileFields]]:
    """Every concrete model keeping files (feed's and those of the apps above it), without importing them."""
    return [m for m in StoredFileFields.__subclasses__() if not m._meta.abstract]


def _remove(names: list[tuple[str, str]]) -> None:
    for storage_name, thumbnail_name in names:
        files.remove(storage_name)
        files.remove(thumbnail_name)


# An upload is kept a day (ALVEOLE_UNSENT_FILES_HOURS) for its composer; checking hourly is plenty.
PERIODIC = [(purge_unsent_uploads, 3600), (sweep_unnamed_files, 6 * 3600)]
