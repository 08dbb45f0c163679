"""The addresses Alvéole receives mail at, and the signed tokens inside them.

    reply+<user>.<post>[.<comment>].<time>.<signature>@ALVEOLE_MAIL_DOMAIN   comment as <user> (expires)
    dm+<user>.<conversation>.<time>.<signature>@ALVEOLE_MAIL_DOMAIN           message as <user> (expires)
    space+<key>@ALVEOLE_MAIL_DOMAIN                                           post in a space (members only)
    unsubscribe+<user>.<signature>@ALVEOLE_MAIL_DOMAIN                        turn notification emails off

Tokens are made by django.core.signing (a salted HMAC of SECRET_KEY, with SECRET_KEY_FALLBACKS honoured)
but written for an email local part: only [0-9a-z.], case-insensitive (some mail systems lower-case
addresses), and short enough for the 64-character limit of RFC 5321.
"""

from __future__ import annotations

import base64
import datetime
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.utils.crypto import salted_hmac

REPLY_SALT = "alveole.mail.reply"
UNSUBSCRIBE_SALT = "alveole.mail.unsubscribe"
MESSAGE_SALT = "alveole.mail.message"  # a salt of its own: a post's reply token never opens a conversation


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


class AddressSigner(signing.TimestampSigner):
    """A TimestampSigner whose output fits in an email address: '.'-separated, lower-case, 128-bit HMAC."""

    def __init__(self, *, salt: str) -> None:
        super().__init__(sep=".", salt=salt, algorithm="sha256")

    def signature(self, value: str | bytes, key: str | bytes | None = None) -> str:
        digest = salted_hmac(f"{self.salt!s}signer", value, key or self.key, algorithm=self.algorithm).digest()
        return base64.b32encode(digest[:16]).decode().rstrip("=").lower()

    def timestamp(self) -> str:
        return _base36(int(time.time()))

    def unsign(self, value: str, max_age: float | datetime.timedelta | None = None) -> str:
        result = signing.Signer.unsign(self, value.lower())
        value, stamp = result.rsplit(self.sep, 1)
        try:
            signed_at = int(stamp, 36)
        except ValueError:
            raise signing.BadSignature("bad timestamp") from None
        if max_age is not None:
            if isinstance(max_age, datetime.timedelta):
                max_age = max_age.total_seconds()
            age = time.time() - signed_at
            if age > max_age:
                raise signing.SignatureExpired(f"Signature age {age} > {max_age} seconds")
        return value


def mail_domain() -> str:
    return settings.ALVEOLE_MAIL_DOMAIN.lower()


def inbound_enabled() -> bool:
    return bool(settings.ALVEOLE_MAIL_DOMAIN)


# --- reply addresses -------------------------------------------------------------


@dataclass(frozen=True)
class ReplyTarget:
    user_id: int
    post_id: int
    comment_id: int | None = None


def reply_address(user_id: int, post_id: int, comment_id: int | None = None) -> str:
    ids = [user_id, post_id] + ([comment_id] if comment_id else [])
    token = AddressSigner(salt=REPLY_SALT).sign(".".join(str(i) for i in ids))
    return f"reply+{token}@{mail_domain()}"


def reply_max_age() -> int:
    return settings.ALVEOLE_REPLY_DAYS * 24 * 3600


def read_reply_token(token: str) -> ReplyTarget:
    """The target of a reply token; raises signing.SignatureExpired or signing.BadSignature."""
    value = AddressSigner(salt=REPLY_SALT).unsign(token, max_age=reply_max_age())
    try:
        ids = [int(part) for part in value.split(".")]
    except ValueError:
        raise signing.BadSignature("bad ids") from None
    if len(ids) == 2:
        return ReplyTarget(ids[0], ids[1])
    if len(ids) == 3:
        return ReplyTarget(ids[0], ids[1], ids[2])
    raise signing.BadSignature("bad ids")


# --- replies to a direct message (alveole/conversations) ---------------------------------------


@dataclass(frozen=True)
class MessageTarget:
    user_id: int
    conversation_id: int


def message_reply_address(user_id: int, conversation_id: int) -> str:
    token = AddressSigner(salt=MESSAGE_SALT).sign(f"{user_id}.{conversation_id}")
    return f"dm+{token}@{mail_domain()}"


def read_message_token(token: str) -> MessageTarget:
    """The person and conversation of a message reply token; raises signing.SignatureExpired or BadSignature."""
    value = AddressSigner(salt=MESSAGE_SALT).unsign(token, max_age=reply_max_age())
    try:
        user_id, conversation_id = (int(part) for part in value.split("."))
    except ValueError:
        raise signing.BadSignature("bad ids") from None
    return MessageTarget(user_id, conversation_id)


# --- unsubscribe -----------------------------------------------------------------


def unsubscribe_token(user_id: int) -> str:
    return _UnsubscribeSigner().sign(str(user_id))


def read_unsubscribe_token(token: str) -> int:
    """The user id in an unsubscribe token (these do not expire); raises signing.BadSignature."""
    value = _UnsubscribeSigner().unsign(token.lower())
    try:
        return int(value)
    except ValueError:
        raise signing.BadSignature("bad id") from None


class _UnsubscribeSigner(signing.Signer):
    def __init__(self) -> None:
        super().__init__(sep=".", salt=UNSUBSCRIBE_SALT)

    def signature(self, value: str | bytes, key: str | bytes | None = None) -> str:
        return AddressSigner(salt=UNSUBSCRIBE_SALT).signature(value, key)


def unsubscribe_address(user_id: int) -> str:
    return f"unsubscribe+{unsubscribe_token(user_id)}@{mail_domain()}"


# --- space addresses ---------------------------------------------------------------


def space_address(key: str) -> str:
    return f"space+{key}@{mail_domain()}"


# --- parsing a recipient ---------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    kind: str  # "reply", "dm", "space", "unsubscribe", or "" for an address that is not ours
    token: str
    address: str


def split_recipient(address: str) -> Recipient:
    """Which of our addresses this is (by local part), or kind "" when it is not one of ours."""
    address = address.strip().strip("<>").strip()
    local, _at, domain = address.rpartition("@")
    if not _at or not inbound_enabled() or domain.lower() != mail_domain():
        return Recipient("", "", address)
    kind, plus, token = local.partition("+")
    kind = kind.lower()
    if not plus or kind not in {"reply", "dm", "space", "unsubscribe"} or not token:
        return Recipient("", "", address)
    return Recipient(kind, token.lower(), address)
