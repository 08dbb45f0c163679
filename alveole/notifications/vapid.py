"""The server's VAPID key pair (RFC 8292): push services accept a push only when it is signed with the private
key whose public half the browser was given when the person subscribed.

The private key is made once, the first time it is needed (`alveole vapidkey` or the first push), into
ALVEOLE_VAPID_PRIVATE_KEY_FILE (var/vapid_private.pem by default, never committed). Replacing it makes every
existing subscription useless: browsers subscribe again from the settings page (README, "Push notifications").
"""

from __future__ import annotations

import os
import tempfile
from email.utils import parseaddr
from functools import cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from py_vapid import Vapid, b64urlencode


def key_file() -> Path:
    return Path(settings.ALVEOLE_VAPID_PRIVATE_KEY_FILE)


def ensure_key() -> Path:
    """Create the private key file if there is none yet (only its owner may read it); returns its path.
    Written whole to a temporary file, then linked into place: a process starting at the same moment
    finds either no file or a complete one, and only the first link wins."""
    path = key_file()
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    vapid = Vapid()
    vapid.generate_keys()
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".vapid-")  # mode 0600
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(vapid.private_pem())
        os.link(temporary, path)
    except FileExistsError:  # another process made it a moment ago: theirs is the key
        pass
    finally:
        os.unlink(temporary)
    return path


@cache
def _load(path: str, mtime: float) -> Vapid:
    return Vapid.from_file(path)


def server_key() -> Vapid:
    """The key pair, read once per file version (a rotated file is read again)."""
    path = ensure_key()
    return _load(str(path), path.stat().st_mtime)


def application_server_key() -> str:
    """The public key as browsers want it for `pushManager.subscribe` (base64url of the uncompressed point)."""
    raw = server_key().public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64urlencode(raw)


def subject() -> str:
    """Who push services may contact about our pushes: a mailto: or https: address."""
    if settings.ALVEOLE_VAPID_SUBJECT:
        return settings.ALVEOLE_VAPID_SUBJECT
    return f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or 'alveole@localhost'}"
