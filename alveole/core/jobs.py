"""Queueing background jobs after the current transaction commits (never inside a request's work)."""

from __future__ import annotations

from typing import Any

from django.db import transaction


def after_commit(job: Any, *args: Any) -> None:
    """Enqueue `job(*args)` once the current transaction has committed (ids only: the job reloads)."""
    transaction.on_commit(lambda: job.enqueue(*args))
