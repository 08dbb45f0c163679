"""Queueing background jobs: the job row is written in the change's own transaction (an outbox).

A crash right after the commit cannot lose the job, and a rolled-back change queues nothing.
The worker (`core/worker.py`) runs each job under a lease, retries it with backoff and runs
its body and its "done" mark in one transaction, so a job run twice has its effect once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import connection

F = TypeVar("F", bound=Callable[..., Any])


def enqueue_job(job: Any, *args: Any) -> None:
    """Queue `job(*args)` in the current transaction (ids only: the job reloads what it needs)."""
    if not connection.in_atomic_block:
        raise RuntimeError("enqueue_job() belongs inside the action's transaction")
    job.enqueue(*args)


def own_transactions(func: F) -> F:
    """Mark a job that must not run inside one transaction (long work, e.g. building a ZIP).

    Such a job keeps itself idempotent (it checks the state it leaves behind); the others run
    in one transaction with the worker's "done" mark. On SQLite a long transaction would hold
    the database's single write lock for its whole duration.
    """
    func.alveole_own_transactions = True  # type: ignore[attr-defined]
    return func


def runs_in_one_transaction(func: Callable[..., Any]) -> bool:
    return not getattr(func, "alveole_own_transactions", False)
