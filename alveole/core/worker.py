"""The job worker: takes jobs under a lease, retries them with backoff, and survives its database.

Jobs wait in django-tasks-db's table (`DBTaskResult`). What this adds to its plain worker:

- a **lease**: every worker writes a heartbeat row every few seconds, from a thread of its own so a
  long job keeps it; a RUNNING job whose worker's heartbeat is older than the lease is given back
  (READY) and run again by whoever comes next — a `kill -9` loses nothing;
- **exactly-once effects**: a job's body and its "done" mark commit in one transaction, so a job cut
  short leaves nothing behind and its rerun has the effect once (jobs marked `own_transactions`
  keep themselves idempotent instead);
- **retries with backoff** for a job that raised, up to ALVEOLE_JOB_MAX_ATTEMPTS;
- **survival**: a database error (PostgreSQL restarting, SQLite's disk full) never ends the loop;
  it drops its connections, waits with backoff and tries again.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from .jobs import runs_in_one_transaction
from .models import WorkerHeartbeat

log = logging.getLogger(__name__)

READY, RUNNING, SUCCESSFUL, FAILED = "READY", "RUNNING", "SUCCESSFUL", "FAILED"


def new_worker_id(prefix: str = "worker") -> str:
    return f"{prefix}-{socket.gethostname()[:24]}-{os.getpid()}-{random.randrange(16**6):06x}"[:64]  # noqa: S311


def backoff_seconds(attempt: int, *, base: float = 1.0, cap: float = 300.0) -> float:
    """Exponential backoff with a little jitter, so retries of many jobs do not land together."""
    return min(cap, base * 2 ** max(0, attempt - 1)) * (0.75 + random.random() / 2)  # noqa: S311


def drop_connections() -> None:
    """Forget this thread's database connection (it may be dead after a server restart)."""
    try:
        connection.close()
    except Exception:
        log.debug("closing a broken connection failed", exc_info=True)


def reclaim_abandoned(now: datetime | None = None) -> int:
    """Give back RUNNING jobs whose worker stopped beating (killed, or its machine lost). Returns how many."""
    moment = timezone.now() if now is None else now
    lease = timedelta(seconds=settings.ALVEOLE_JOB_LEASE_SECONDS)
    alive = set(WorkerHeartbeat.objects.filter(seen_at__gte=moment - lease).values_list("worker_id", flat=True))
    reclaimed = 0
    # A job just claimed by a worker that has not beaten yet is still inside its first lease.
    candidates = DBTaskResult.objects.filter(status=RUNNING, started_at__lt=moment - lease).only(
        "id", "worker_ids", "started_at"
    )
    for job in candidates:
        owner = job.worker_ids[-1] if job.worker_ids else None
        if owner in alive:
            continue
        # Only if it is still RUNNING under the same owner: another worker may have reclaimed it.
        reclaimed += DBTaskResult.objects.filter(pk=job.pk, status=RUNNING, started_at=job.started_at).update(
            status=READY, run_after=moment
        )
    if reclaimed:
        log.warning("jobs: gave back %d job(s) abandoned by a dead worker", reclaimed)
    return reclaimed


@dataclass
class JobWorker:
    worker_id: str = field(default_factory=new_worker_id)
    interval: float = 1.0  # seconds between polls of an empty queue
    queue_names: tuple[str, ...] = ("default",)
    max_jobs: int | None = None  # stop after this many (tests)
    stop_when_empty: bool = False  # stop once nothing is ready (tests)
    running: bool = True
    jobs_run: int = 0
    _errors_in_a_row: int = 0

    # -- the loop ---------------------------------------------------------------------

    def run(self) -> None:
        log.info("jobs: worker %s started", self.worker_id)
        beat = threading.Thread(target=self._beat_forever, name=f"{self.worker_id}-heartbeat", daemon=True)
        beat.start()
        next_sweep = 0.0
        try:
            while self.running:
                try:
                    if time.monotonic() >= next_sweep:
                        self.heartbeat()
                        reclaim_abandoned()
                        next_sweep = time.monotonic() + settings.ALVEOLE_JOB_LEASE_SECONDS / 3
                    job = self.claim()
                    self._errors_in_a_row = 0
                except DatabaseError:
                    self._database_trouble()
                    continue
                if job is not None:
                    self.run_job(job)
                    if self.max_jobs is not None and self.jobs_run >= self.max_jobs:
                        return
                    continue
                if self.stop_when_empty:
                    return
                close_old_connections()
                time.sleep(self.interval)
        finally:
            self.running = False
            self._forget_heartbeat()

    def _database_trouble(self) -> None:
        self._errors_in_a_row += 1
        wait = backoff_seconds(self._errors_in_a_row, base=0.5, cap=10.0)
        log.warning("jobs: database unavailable, retrying in %.1f s", wait, exc_info=self._errors_in_a_row == 1)
        drop_connections()
        time.sleep(wait)

    def heartbeat(self) -> None:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={"seen_at": timezone.now(), "pid": os.getpid(), "host": socket.gethostname()[:100]},
        )

    def _beat_forever(self) -> None:
        # Its own thread and connection: a job that runs for minutes keeps its lease.
        period = max(0.5, settings.ALVEOLE_JOB_LEASE_SECONDS / 3)
        while self.running:
            time.sleep(period)
            if not self.running:
                break
            try:
                self.heartbeat()
            except DatabaseError:
                drop_connections()
            finally:
                close_old_connections()
        drop_connections()

    def _forget_heartbeat(self) -> None:
        try:
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
        except DatabaseError:
            drop_connections()

    # -- one job ------------------------------------------------------------------------

    def claim(self) -> DBTaskResult | None:
        ready = DBTaskResult.objects.ready().filter(queue_name__in=self.queue_names)
        with exclusive_transaction(ready.db):
            job = ready.order_by("-priority", "run_after", "enqueued_at").select_for_update(skip_locked=True).first()
            if job is not None:
                job.claim(self.worker_id)
        return job

    def run_job(self, job: DBTaskResult) -> None:
        try:
            task = job.task
            args, kwargs = job.args_kwargs["args"], job.args_kwargs["kwargs"]
        except Exception as exc:  # noqa: BLE001 - an unknown task path cannot succeed by retrying
            self._finish_failed(job, exc, retry=False)
            return
        try:
            if runs_in_one_transaction(task.func):
                with transaction.atomic():
                    value = task.call(*args, **kwargs)
                    self._mark(job, SUCCESSFUL, return_value=_jsonable(value))
            else:
                value = task.call(*args, **kwargs)
                self._mark(job, SUCCESSFUL, return_value=_jsonable(value))
        except LeaseLost:
            log.warning("jobs: %s ran past its lease and was taken over; this run was undone", job.task_path)
        except DatabaseError as exc:
            # Most likely the database went away: the job is retried, with backoff, without counting
            # against its attempts more than once per try.
            drop_connections()
            self._finish_failed(job, exc, retry=True)
        except Exception as exc:
            log.exception("jobs: %s failed (attempt %d)", job.task_path, len(job.worker_ids))
            self._finish_failed(job, exc, retry=True)
        finally:
            self.jobs_run += 1
            close_old_connections()

    def _finish_failed(self, job: DBTaskResult, exc: BaseException, *, retry: bool) -> None:
        attempts = len(job.worker_ids)
        retry = retry and attempts < settings.ALVEOLE_JOB_MAX_ATTEMPTS
        details = {
            "exception_class_path": f"{type(exc).__module__}.{type(exc).__qualname__}",
            "traceback": "".join(traceback.format_exception(exc))[-10_000:],
        }
        for attempt in range(1, 6):
            try:
                if retry:
                    later = timezone.now() + timedelta(seconds=backoff_seconds(attempts))
                    self._mark(job, READY, run_after=later, **details)
                else:
                    self._mark(job, FAILED, **details)
                return
            except DatabaseError:
                # The lease gives the job back if this never succeeds.
                drop_connections()
                time.sleep(backoff_seconds(attempt, base=0.5, cap=5.0))

    def _mark(self, job: DBTaskResult, status: str, **values: object) -> None:
        finished = timezone.now() if status in (SUCCESSFUL, FAILED) else None
        # Guarded by owner: if our lease was lost and someone else took the job, we write nothing.
        updated = DBTaskResult.objects.filter(pk=job.pk, status=RUNNING, started_at=job.started_at).update(
            status=status, finished_at=finished, **values
        )
        if not updated and status == SUCCESSFUL and transaction.get_connection().in_atomic_block:
            # The job was given to another worker meanwhile: undo our run, theirs counts.
            raise LeaseLost(job.pk)


class LeaseLost(Exception):
    """Our lease on a job expired and another worker took it."""


def _jsonable(value: object) -> object:
    return value if isinstance(value, (int, float, str, bool, type(None), list, dict)) else None


def start_worker_thread() -> tuple[threading.Thread, JobWorker]:
    """The job worker inside the serving process (the embedded, one-machine set-up)."""
    worker = JobWorker(worker_id=new_worker_id("embedded"))
    thread = threading.Thread(target=worker.run, name="alveole-worker", daemon=True)
    thread.start()
    global _embedded
    _embedded = (thread, worker)
    return thread, worker


_embedded: tuple[threading.Thread, JobWorker] | None = None


def embedded_worker() -> tuple[threading.Thread, JobWorker] | None:
    return _embedded
