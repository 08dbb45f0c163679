"""Jobs that run on a schedule: enqueued by the embedded scheduler thread of `alveole run`, or by
`alveole periodic` from cron / a systemd timer on multi-process deployments."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.cache import cache
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


def schedule() -> list[tuple[str, int]]:
    """(dotted path of a django-tasks task, every N seconds) for every periodic job.

    Found, not listed: each installed app declares `PERIODIC = [(task, seconds), …]` in its
    `jobs.py`, so the kernel imports no feature app by name.
    """
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    found: list[tuple[str, int]] = []
    for config in apps.get_app_configs():
        module = f"{config.name}.jobs"
        if config.name.startswith("alveole.") and find_spec(module) is not None:
            for job, every in getattr(import_module(module), "PERIODIC", ()):
                found.append((job.module_path, every))
    return sorted(found)


def enqueue_due(now: float | None = None) -> list[str]:
    """Enqueue every job whose period has elapsed (shared through the cache, so N schedulers run it once)."""
    now = time.time() if now is None else now
    started = []
    for path, every in schedule():
        slot = int(now // every)
        # cache.add is atomic: only the first scheduler to claim this period's slot enqueues.
        if cache.add(f"periodic:{path}:{slot}", 1, timeout=every * 2):
            job: Any = import_string(path)
            job.enqueue()
            started.append(path)
    return started


def start_scheduler_thread(interval: float = 30.0) -> threading.Thread:
    def loop() -> None:
        while True:
            try:
                enqueue_due()
            except Exception:  # a failed tick must not stop the schedule
                log.exception("periodic: could not enqueue due jobs")
            time.sleep(interval)

    thread = threading.Thread(target=loop, name="alveole-scheduler", daemon=True)
    thread.start()
    return thread
