"""Random secrets handed to people once and stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets


def new_secret(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def hash_secret(secret: str) -> str:
    # The secrets carry 256 bits of entropy, so a fast hash is enough: no
    # dictionary can guess them, and lookups stay a single indexed query.
    return hashlib.sha256(secret.encode()).hexdigest()
