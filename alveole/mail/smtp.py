"""The SMTP server of `alveole mail-server` (aiosmtpd): refuses unknown, forged and expired addresses at
RCPT TO with the reason, and delivers each message through `inbound.receive` — the same function the
`alveole receive-email` pipe uses.

Database work runs in a worker thread (asgiref's sync_to_async), with stale connections closed around
it as Django does around a request.
"""

from __future__ import annotations

import logging
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections

from . import inbound

log = logging.getLogger(__name__)


def _with_db(function: Any) -> Any:
    def run(*args: Any) -> Any:
        close_old_connections()
        try:
            return function(*args)
        finally:
            close_old_connections()

    return sync_to_async(run, thread_sensitive=False)


class Handler:
    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if len(envelope.rcpt_tos) >= inbound.MAX_RECIPIENTS:
            return "452 4.5.3 Too many recipients"
        try:
            result = await _with_db(inbound.check_recipient)(address)
        except Exception:
            log.exception("mail-server: could not check %s", address)
            return "451 4.3.0 Temporary failure, try again later"
        if not result.accepted:
            log.info("mail-server: refused RCPT %s: %s", address, result.reason)
            return result.smtp_reply
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        mail_from = envelope.mail_from or ""
        try:
            results = await _with_db(inbound.receive)(raw, list(envelope.rcpt_tos), mail_from)
        except Exception:
            log.exception("mail-server: could not deliver a message from %s", mail_from)
            return "451 4.3.0 Temporary failure, try again later"
        for result in results:
            log.info("mail-server: %s -> %s: %s %s", mail_from, result.recipient, result.accepted, result.reason)
        if not any(r.accepted for r in results):
            # Nothing was posted: say why in the reply; the sending server tells its user.
            temporary = [r for r in results if r.problem is inbound.Problem.TEMPORARY]
            return (temporary or results)[0].smtp_reply
        if not all(r.accepted for r in results):
            # Posted for some recipients only: one reply cannot say both, so the refusals are bounced.
            await _with_db(inbound.queue_bounces)(raw, results, mail_from)
        return "250 2.0.0 Message accepted"


def make_controller(host: str | None = None, port: int | None = None) -> Controller:
    return Controller(
        Handler(),
        hostname=host or settings.ALVEOLE_SMTP_HOST,
        port=port or settings.ALVEOLE_SMTP_PORT,
        server_hostname=settings.ALVEOLE_MAIL_DOMAIN or None,
        ident="Alveole mail bridge",
        data_size_limit=settings.ALVEOLE_INBOUND_MAX_BYTES,
        enable_SMTPUTF8=True,
        decode_data=False,
    )
