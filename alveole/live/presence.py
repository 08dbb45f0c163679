"""Presence (online / away / offline): ephemeral, never stored in the database.

The state lives in the cache (Redis when configured, so every process agrees):
a count of the person's open sockets and their chosen state, both expiring
unless a socket refreshes them (every ping), so that a crashed process's
sockets fade to offline within PRESENCE_TTL seconds.
"""

from __future__ import annotations

from django.core.cache import cache

PRESENCE_TTL = 90
STATES = ("online", "away")


def _keys(org_id: int, user_id: int) -> tuple[str, str]:
    return f"presence:{org_id}:{user_id}:n", f"presence:{org_id}:{user_id}:state"


def connected(org_id: int, user_id: int) -> bool:
    """Count one more socket; True when the person just came online."""
    count_key, state_key = _keys(org_id, user_id)
    cache.add(count_key, 0, PRESENCE_TTL)
    try:
        count = cache.incr(count_key)
    except ValueError:
        cache.set(count_key, 1, PRESENCE_TTL)
        count = 1
    cache.touch(count_key, PRESENCE_TTL)
    cache.set(state_key, "online", PRESENCE_TTL)
    return count == 1


def disconnected(org_id: int, user_id: int) -> bool:
    """Count one socket fewer; True when the person has no socket left (now offline)."""
    count_key, state_key = _keys(org_id, user_id)
    try:
        count = cache.decr(count_key)
    except ValueError:
        count = 0
    if count <= 0:
        cache.delete_many([count_key, state_key])
        return True
    return False


def refresh(org_id: int, user_id: int) -> None:
    count_key, state_key = _keys(org_id, user_id)
    cache.touch(count_key, PRESENCE_TTL)
    cache.touch(state_key, PRESENCE_TTL)


def refresh_many(people: list[tuple[int, int]]) -> None:
    """refresh() for every (organisation, person) that pinged since the last batch."""
    for org_id, user_id in people:
        refresh(org_id, user_id)


def set_state(org_id: int, user_id: int, state: str) -> bool:
    """Online or away; True when it changed."""
    if state not in STATES:
        return False
    _count_key, state_key = _keys(org_id, user_id)
    changed = cache.get(state_key) != state
    cache.set(state_key, state, PRESENCE_TTL)
    return changed


def states(org_id: int, user_ids: list[int]) -> dict[int, str]:
    """The state of each person ("offline" when no socket is open)."""
    keys = {_keys(org_id, uid)[1]: uid for uid in user_ids}
    found = cache.get_many(list(keys))
    return {uid: found.get(key, "offline") for key, uid in keys.items()}
