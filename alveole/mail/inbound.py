"""Incoming email: one function, `receive`, used by both transports (`alveole mail-server` over SMTP and
`alveole receive-email` from an MTA pipe). It parses the message, routes it by recipient, calls an action
and says what happened: accepted, or refused with a reason the sender can act on.

Reasons go back in SMTP replies and MTA bounces, so they are plain ASCII English sentences.
"""

from __future__ import annotations

import email
import email.policy
import enum
import hashlib
import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import DatabaseError, IntegrityError
from django.utils import translation

from alveole.accounts.mfa import must_set_up_mfa
from alveole.accounts.models import User
from alveole.conversations.access import get_conversation_for
from alveole.core.errors import AlveoleError, NotFound
from alveole.feed.access import get_comment_for, get_post_for
from alveole.feed.models import Comment, Review
from alveole.spaces.access import membership_of

from . import actions
from .addresses import (
    Recipient,
    inbound_enabled,
    mail_domain,
    read_message_token,
    read_reply_token,
    read_unsubscribe_token,
)
from .addresses import split_recipient as _split
from .jobs import send_bounce
from .models import ReceivedEmail, SpaceMailSettings
from .text import html_to_text, strip_reply

log = logging.getLogger(__name__)

MAX_RECIPIENTS = 20


class Problem(enum.Enum):
    """Why a message was refused; decides the SMTP reply and the pipe's exit code (sysexits.h)."""

    ADDRESS = ("550", "5.1.1", 67)  # EX_NOUSER: unknown, forged or expired address
    FORBIDDEN = ("550", "5.7.1", 65)  # the sender may not do this
    CONTENT = ("554", "5.6.0", 65)  # EX_DATAERR: nothing to post, bad attachment, too long
    TEMPORARY = ("451", "4.3.0", 75)  # EX_TEMPFAIL: try again later

    @property
    def smtp(self) -> tuple[str, str]:
        return self.value[0], self.value[1]

    @property
    def exit_code(self) -> int:
        return self.value[2]


@dataclass(frozen=True)
class Result:
    recipient: str
    accepted: bool
    reason: str = ""
    problem: Problem | None = None
    post_id: int | None = None
    comment_id: int | None = None
    duplicate: bool = False
    sender: str = ""

    @property
    def smtp_reply(self) -> str:
        if self.accepted:
            return "250 2.0.0 OK: " + (self.reason or "accepted")
        assert self.problem is not None
        code, enhanced = self.problem.smtp
        return f"{code} {enhanced} {ascii_line(self.reason)}"

    @property
    def exit_code(self) -> int:
        return 0 if self.accepted else (self.problem or Problem.CONTENT).exit_code


def ascii_line(text: str, limit: int = 400) -> str:
    """SMTP replies are one ASCII line: fold accents, drop the rest."""
    folded = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    folded = " ".join(folded.replace("\u2019", "'").split())
    return folded[:limit]


def _ok(recipient: str, reason: str = "", *, post_id: int | None = None, comment_id: int | None = None) -> Result:
    return Result(recipient, True, reason, post_id=post_id, comment_id=comment_id)


def _refused(recipient: str, problem: Problem, reason: str, sender: str = "") -> Result:
    return Result(recipient, False, reason, problem, sender=sender)


# --- recipients -------------------------------------------------------------------------


def check_recipient(address: str) -> Result:
    """Whether we take mail for `address` (RCPT TO time: no message yet). Needs the database only for
    addresses whose signature is valid."""
    recipient = _split(address)
    if not inbound_enabled():
        return _refused(address, Problem.ADDRESS, "This server does not receive email (no mail domain is set).")
    if not recipient.kind:
        if address.rpartition("@")[2].lower() != mail_domain():
            return _refused(
                address, Problem.ADDRESS, f"Relaying denied: this server only receives mail for {mail_domain()}."
            )
        return _refused(address, Problem.ADDRESS, "No such address here.")
    if recipient.kind == "reply":
        return _check_reply(recipient)
    if recipient.kind == "dm":
        return _check_message_reply(recipient)
    if recipient.kind == "space":
        if _space_settings(recipient.token) is None:
            return _refused(
                address,
                Problem.ADDRESS,
                "No space has this address: it was turned off or replaced. "
                "Ask a manager of the space for its current address.",
            )
        return _ok(address)
    try:
        read_unsubscribe_token(recipient.token)
    except signing.BadSignature:
        return _refused(
            address, Problem.ADDRESS, "This unsubscribe address is not valid: it was altered or never issued."
        )
    return _ok(address)


def _check_token(recipient: Recipient, read: Callable[[str], Any], where: str) -> Result:
    """A reply address (to a post's or a conversation's email): signed, not expired, for an active account."""
    try:
        target = read(recipient.token)
    except signing.SignatureExpired:
        days = settings.ALVEOLE_REPLY_DAYS
        return _refused(
            recipient.address,
            Problem.ADDRESS,
            f"This reply address has expired (reply addresses work for {days} days). "
            f"Open the {where} in Alveole to reply there.",
        )
    except signing.BadSignature:
        return _refused(
            recipient.address,
            Problem.ADDRESS,
            "This reply address is not valid: it was altered or never issued. Reply from the email you received, "
            "or in Alveole.",
        )
    if not User.objects.filter(pk=target.user_id, is_active=True).exists():
        return _refused(
            recipient.address, Problem.ADDRESS, "The account this reply address belongs to is no longer active."
        )
    return _ok(recipient.address)


def _check_reply(recipient: Recipient) -> Result:
    return _check_token(recipient, read_reply_token, "post")


def _check_message_reply(recipient: Recipient) -> Result:
    return _check_token(recipient, read_message_token, "conversation")


def _space_settings(key: str) -> SpaceMailSettings | None:
    if not re.fullmatch(r"[0-9a-f]{8,32}", key):
        return None
    return SpaceMailSettings.objects.select_related("space").filter(address_key=key).first()


# --- the message -----------------------------------------------------------------------------


def parse(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def sender_of(message: EmailMessage) -> str:
    """The one address in From (lower-cased), or "" when there is none or several."""
    try:
        header = message["From"]
        addresses: tuple[Any, ...] = tuple(header.addresses) if header is not None else ()
    except (TypeError, ValueError, IndexError):
        return ""
    if len(addresses) != 1:
        return ""
    return (addresses[0].addr_spec or "").strip().lower()


def is_automatic(message: EmailMessage) -> bool:
    """Out-of-office replies, delivery reports and list mail must never become comments or posts."""
    auto = str(message.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(message.get("Precedence", "")).strip().lower()
    return (
        auto != "no"
        or precedence in {"bulk", "junk", "list", "auto_reply"}
        or any(message.get(h) for h in ("X-Autoreply", "X-Autorespond"))
        or message.get_content_type() == "multipart/report"
    )


def _unflow(text: str, delsp: bool) -> str:
    """format=flowed (RFC 3676): lines ending in a space continue on the next line."""
    out: list[str] = []
    for line in text.split("\n"):
        if out and out[-1].endswith(" ") and out[-1] != "-- " and not line.startswith(">"):
            out[-1] = (out[-1][:-1] if delsp else out[-1]) + line
        else:
            out.append(line)
    return "\n".join(out)


def written_text(message: EmailMessage, *, keep_forwarded: bool = False) -> str:
    """What the sender wrote: the plain-text body (or the HTML one as text), quotes and signature removed."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError):  # an unknown charset
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if not isinstance(content, str):
        return ""
    content = content.replace("\r\n", "\n")
    if part.get_content_subtype() == "html":
        content = html_to_text(content)
    elif str(part.get_param("format", "")).lower() == "flowed":
        content = _unflow(content, str(part.get_param("delsp", "")).lower() == "yes")
    return strip_reply(content, keep_forwarded=keep_forwarded)


def attached_files(message: EmailMessage) -> list[actions.EmailFile]:
    """Real attachments; images embedded in the HTML (signature logos) are left out."""
    files = []
    for part in message.iter_attachments():
        if not isinstance(part, EmailMessage) or part.get_content_maintype() in {"multipart", "message"}:
            continue
        if part.get("Content-ID") and part.get_content_disposition() != "attachment":
            continue
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            continue
        name = part.get_filename() or "attachment"
        files.append(actions.EmailFile(name=name, data=data))
    return files


def receipt_key(message: EmailMessage, raw: bytes, recipient: str) -> str:
    """The same email delivered twice (an SMTP retry, a re-run pipe) has the same key."""
    message_id = str(message.get("Message-ID", "")).strip()
    basis = message_id.encode() if message_id else hashlib.sha256(raw).digest()
    return hashlib.sha256(basis + b"\n" + recipient.lower().encode()).hexdigest()


# --- receiving ---------------------------------------------------------------------------------


def receive(raw: bytes, recipients: Sequence[str], envelope_from: str = "") -> list[Result]:
    """Deliver one message to each of our recipients; one result per recipient."""
    with translation.override(settings.LANGUAGE_CODE):
        try:
            message = parse(raw)
        except Exception as exc:  # noqa: BLE001 - any parser failure is the sender's malformed message
            log.info("mail: unreadable message: %s", exc)
            return [_refused(r, Problem.CONTENT, "This message could not be read as an email.") for r in recipients]
        results = []
        for address in list(recipients)[:MAX_RECIPIENTS]:
            try:
                results.append(_deliver(message, raw, address))
            except DatabaseError:
                log.exception("mail: database error while delivering to %s", address)
                results.append(_refused(address, Problem.TEMPORARY, "Temporary failure; try again later."))
        return results


def _deliver(message: EmailMessage, raw: bytes, address: str) -> Result:
    checked = check_recipient(address)
    if not checked.accepted:
        return checked
    recipient = _split(address)
    sender = sender_of(message)
    if not sender:
        return _refused(address, Problem.FORBIDDEN, "The message has no single From address.")
    if recipient.kind == "unsubscribe":
        return _unsubscribe(recipient)
    if is_automatic(message):
        return _refused(
            address,
            Problem.CONTENT,
            "Automatic messages (out-of-office replies, delivery reports) are not posted.",
            sender,
        )
    key = receipt_key(message, raw, address)
    if ReceivedEmail.objects.filter(key=key).exists():
        return Result(address, True, "already received", duplicate=True)
    try:
        if recipient.kind == "reply":
            return _reply(message, recipient, sender, key)
        if recipient.kind == "dm":
            return _message_reply(message, recipient, sender, key)
        return _post_in_space(message, recipient, sender, key)
    except IntegrityError:
        if ReceivedEmail.objects.filter(key=key).exists():  # delivered twice at the same moment
            return Result(address, True, "already received", duplicate=True)
        raise
    except AlveoleError as exc:
        return _refused(address, Problem.CONTENT if exc.status == 400 else Problem.FORBIDDEN, str(exc), sender)


def _unsubscribe(recipient: Recipient) -> Result:
    user = User.objects.filter(pk=read_unsubscribe_token(recipient.token), is_active=True).first()
    if user is not None:
        actions.unsubscribe(user)
    return _ok(recipient.address, "notification emails are turned off")


def _reply(message: EmailMessage, recipient: Recipient, sender: str, key: str) -> Result:
    target = read_reply_token(recipient.token)
    user = _replier(recipient, target.user_id, sender, "notification")
    if isinstance(user, Result):
        return user
    try:
        post = get_post_for(user, target.post_id)
    except NotFound:
        return _refused(
            recipient.address, Problem.FORBIDDEN, "This post was deleted, or you can no longer see it.", sender
        )
    parent: Comment | None = None
    if target.comment_id:
        try:
            parent = get_comment_for(user, target.comment_id)
        except NotFound:
            parent = None  # the comment was deleted: the reply goes on the post
        if parent is not None and parent.post_id != post.pk:
            parent = None
    body, files = written_text(message), attached_files(message)
    if not body and not files:
        return _refused(
            recipient.address,
            Problem.CONTENT,
            "Your reply was empty once the quoted message and signature were removed. Write above the quoted text.",
            sender,
        )
    comment = actions.comment_by_email(user, post=post, parent=parent, body=body, files=files, receipt=key)
    said = "comment posted" if comment.review == Review.PUBLISHED else "comment waiting for a manager's validation"
    return _ok(recipient.address, said, post_id=post.pk, comment_id=comment.pk)


def _message_reply(message: EmailMessage, recipient: Recipient, sender: str, key: str) -> Result:
    """A reply to a direct message's email: a message in the conversation, by the person it was sent to."""
    target = read_message_token(recipient.token)
    user = _replier(recipient, target.user_id, sender, "message")
    if isinstance(user, Result):
        return user
    try:
        conversation = get_conversation_for(user, target.conversation_id)
    except NotFound:
        return _refused(
            recipient.address, Problem.FORBIDDEN, "You left this conversation, or it no longer exists.", sender
        )
    body = written_text(message)
    if not body:
        return _refused(
            recipient.address,
            Problem.CONTENT,
            "Your reply was empty once the quoted message and signature were removed. Write above the quoted text. "
            "(Files cannot be sent to a conversation by email.)",
            sender,
        )
    actions.message_by_email(user, conversation=conversation, body=body, receipt=key)
    return _ok(recipient.address, "message sent")


def _replier(recipient: Recipient, user_id: int, sender: str, sent: str) -> User | Result:
    """Who a reply address writes as — only from the address the `sent` email went to, and only someone
    the web app would let act (a refusal otherwise)."""
    user = User.objects.get(pk=user_id)
    if sender != user.email.strip().lower():
        return _refused(
            recipient.address,
            Problem.FORBIDDEN,
            f"This reply address belongs to someone else: reply from the address the {sent} was sent to.",
            sender,
        )
    if must_set_up_mfa(user):
        return _mfa_refusal(recipient.address, sender)
    return user


def _mfa_refusal(address: str, sender: str) -> Result:
    # An email carries no second factor: it must not act for someone the web app still holds back.
    return _refused(
        address,
        Problem.FORBIDDEN,
        "Your organisation requires owners and admins to use two-factor authentication: sign in to Alveole "
        "and set it up under Security before writing by email.",
        sender,
    )


MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]<>])")


def _post_in_space(message: EmailMessage, recipient: Recipient, sender: str, key: str) -> Result:
    row = _space_settings(recipient.token)
    assert row is not None  # checked by check_recipient
    space = row.space
    user = User.objects.filter(organisation_id=space.organisation_id, email__iexact=sender, is_active=True).first()
    if user is None or membership_of(user, space) is None:
        return _refused(
            recipient.address,
            Problem.FORBIDDEN,
            f"Only members of this space can post to its address, from the email address of their Alveole "
            f"account; {sender} is not one.",
            sender,
        )
    if must_set_up_mfa(user):
        return _mfa_refusal(recipient.address, sender)
    title = " ".join(str(message.get("Subject", "")).split())
    text, files = written_text(message, keep_forwarded=True), attached_files(message)
    if not title and not text and not files:
        return _refused(
            recipient.address, Problem.CONTENT, "The message is empty: write a subject or some text.", sender
        )
    heading = "**" + MARKDOWN_SPECIALS.sub(r"\\\1", title) + "**" if title else ""
    body = "\n\n".join(part for part in (heading, text) if part)
    post = actions.post_by_email(user, space=space, body=body, files=files, receipt=key)
    said = "post published" if post.review == Review.PUBLISHED else "post waiting for a manager's validation"
    return _ok(recipient.address, said, post_id=post.pk)


# --- bounces ----------------------------------------------------------------------------------


def bounce_address(message: EmailMessage, envelope_from: str) -> str:
    """Where to tell about a refusal: the envelope sender, unless bouncing could loop or hit a robot."""
    sender = (envelope_from or "").strip().strip("<>").strip().lower()
    if not sender or "@" not in sender or is_automatic(message):
        return ""
    local, _at, domain = sender.rpartition("@")
    if local in {"mailer-daemon", "postmaster", "noreply", "no-reply"} or domain == mail_domain():
        return ""
    return sender


def queue_bounces(raw: bytes, results: Sequence[Result], envelope_from: str) -> int:
    """A message accepted for some recipients but refused for others: email the sender why (by a job)."""
    refused = [r for r in results if not r.accepted and r.problem is not Problem.TEMPORARY]
    if not refused:
        return 0
    message = parse(raw)
    to = bounce_address(message, envelope_from)
    if not to:
        return 0
    subject = " ".join(str(message.get("Subject", "")).split())[:200]
    message_id = " ".join(str(message.get("Message-ID", "")).split())[:250]
    for result in refused:
        send_bounce.enqueue(to, result.recipient, result.reason, subject, message_id)
    return len(refused)
