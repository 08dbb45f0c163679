"""A short-lived cache of personal access tokens, per server process (issue 17).

Looking a token up (the token, its account and organisation, and for an owner or admin whether
two-factor is still to be set up) was about a tenth of an API request's interpreter time. Each
process keeps what `authenticate_token` found, keyed by the token's SHA-256 (the secret itself is
never kept), for `ALVEOLE_TOKEN_CACHE_SECONDS` (0 turns the cache off), at most `MAX_ENTRIES` of
them, the least recently used dropped first. Unknown tokens are never cached: guessing cannot fill
the cache or push real entries out.

How a change reaches every process at once: a **generation**. One value in the shared cache (Redis
when REDIS_URL is set, this process's memory otherwise) names the current generation; every entry
remembers the generation it was filled under, read *before* the database, and is used only while
the generation is unchanged. Anything that may end or narrow a token's access — a token revoked or
deleted, an account deactivated (by an admin, SCIM or the identity provider), a role changed, an
organisation's two-factor rule changed, two-factor removed — replaces the generation after its
transaction commits (`invalidate`, from the model signals in `signals.py`), so the very next request
in any process misses and reads the database.

Why not the live layer's broadcast: its Redis subscription lives on the event loop of processes that
serve a WebSocket, and pub/sub is delivered asynchronously — a request reaching another process right
after the revocation returned could still be served from that process's cache. The generation costs
one small cache read per API request (a Redis GET, a tenth of the lookup it replaces) and gives the
guarantee without a race. The generation is a random value, never a counter: a Redis restart or an
eviction yields a new one, which no entry matches. When the shared cache cannot be read, the cache is
not used (the database answers), so an outage makes requests slower, never stale; the TTL is the
safety net for a generation that could not be written (Redis away at that very moment).
"""

from __future__ import annotations

import copy
import logging
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from redis.exceptions import RedisError

from .models import User

log = logging.getLogger(__name__)
GENERATION_KEY = "accounts:token-generation"
MAX_ENTRIES = 10_000


@dataclass
class CachedToken:
    """What authenticate_token needs to accept a token again without the database."""

    user: User  # the account with its organisation, as read; handed out as a copy
    token_id: int
    mfa_required: bool
    last_used_at: datetime | None
    generation: str = ""
    expires: float = 0.0  # time.monotonic() deadline

    def user_copy(self) -> User:
        # Each request gets its own instance: nothing a request sets on its user leaks into the next.
        return copy.deepcopy(self.user)


_entries: OrderedDict[str, CachedToken] = OrderedDict()
_lock = threading.Lock()


def enabled() -> bool:
    return settings.ALVEOLE_TOKEN_CACHE_SECONDS > 0


def current_generation() -> str | None:
    """The generation entries must carry to be used; None when the cache is off or cannot be checked."""
    if not enabled():
        return None
    try:
        value = cache.get(GENERATION_KEY)
        if value is None:  # first use, a flushed cache or an eviction: a new generation, which no entry has
            cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
            value = cache.get(GENERATION_KEY)
    except (RedisError, OSError):
        log.warning("accounts: cannot read the token cache generation; reading tokens from the database")
        return None
    return value if isinstance(value, str) else None


def lookup(key_hash: str, generation: str | None) -> CachedToken | None:
    if generation is None:
        return None
    with _lock:
        entry = _entries.get(key_hash)
        if entry is None:
            return None
        if entry.generation != generation or entry.expires <= time.monotonic():
            del _entries[key_hash]
            return None
        _entries.move_to_end(key_hash)
        return entry


def store(key_hash: str, generation: str | None, entry: CachedToken) -> None:
    """Keep `entry` (a copy of its user: the caller's instance goes on to serve the request)."""
    if generation is None:
        return
    entry.user = copy.deepcopy(entry.user)
    entry.generation = generation
    entry.expires = time.monotonic() + settings.ALVEOLE_TOKEN_CACHE_SECONDS
    with _lock:
        _entries[key_hash] = entry
        _entries.move_to_end(key_hash)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)


def invalidate() -> None:
    """Forget every cached token: in this process now, in every process once the current transaction commits
    (at once outside one). Until the commit this process may read the old rows again, but under the old
    generation, which the commit retires."""
    clear_local()
    transaction.on_commit(_new_generation)


def _new_generation() -> None:
    clear_local()
    try:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    except (RedisError, OSError):
        log.error(
            "accounts: could not tell other processes to forget cached tokens; "
            "they forget them within ALVEOLE_TOKEN_CACHE_SECONDS"
        )


def clear_local() -> None:
    with _lock:
        _entries.clear()


def size() -> int:
    return len(_entries)
