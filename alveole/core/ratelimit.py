"""Counting limits shared by every server process (the Django cache: Redis when
REDIS_URL is set, process memory otherwise)."""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache


def _keys(scope: str, subject: str) -> tuple[str, str]:
    # Hash the subject so that emails and IPs never appear in cache keys.
    digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
    return f"rl:{scope}:{digest}:n", f"rl:{scope}:{digest}:t0"


def add_hit(scope: str, subject: str, *, window: int) -> int:
    """Count one event; the count resets `window` seconds after the first one."""
    count_key, start_key = _keys(scope, subject)
    cache.add(start_key, time.time(), window)
    cache.add(count_key, 0, window)
    try:
        return cache.incr(count_key)
    except ValueError:  # expired between add and incr
        cache.set(count_key, 1, window)
        cache.set(start_key, time.time(), window)
        return 1


def retry_after(scope: str, subject: str, *, limit: int, window: int) -> int | None:
    """Seconds to wait when `subject` reached `limit` events, else None."""
    count_key, start_key = _keys(scope, subject)
    values = cache.get_many([count_key, start_key])
    if values.get(count_key, 0) < limit:
        return None
    started = values.get(start_key) or time.time()
    return max(1, int(started + window - time.time()))


def reset(scope: str, subject: str) -> None:
    cache.delete_many(list(_keys(scope, subject)))
