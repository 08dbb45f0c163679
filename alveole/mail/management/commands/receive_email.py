from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from alveole.mail import inbound
from alveole.mail.addresses import split_recipient


class Command(BaseCommand):
    help = (
        "Deliver one email read on stdin (for an MTA pipe). Exit 0 when accepted; otherwise 67 (unknown, "
        "forged or expired address), 65 (refused content or sender) or 75 (try again later), with the reason "
        "on stderr, so the MTA bounces it."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--recipient",
            action="append",
            default=[],
            help="Envelope recipient (repeatable). Default: $ORIGINAL_RECIPIENT or $RECIPIENT, else the "
            "Delivered-To, X-Original-To, To and Cc headers addressed to ALVEOLE_MAIL_DOMAIN.",
        )
        parser.add_argument("--sender", default=None, help="Envelope sender (default: $SENDER, else Return-Path)")

    def handle(self, *args: Any, **options: Any) -> None:
        stream = options.get("stdin") or sys.stdin
        data = stream.buffer.read() if hasattr(stream, "buffer") else stream.read()
        raw = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data
        if not raw.strip():
            raise CommandError("No message on stdin.", returncode=65)
        try:
            message = inbound.parse(raw)
        except Exception as exc:
            raise CommandError(f"This message could not be read as an email: {exc}", returncode=65) from exc
        recipients = options["recipient"] or _env_recipients() or _header_recipients(message)
        if not recipients:
            raise CommandError("No recipient of ours in the envelope or the headers.", returncode=67)
        sender = options["sender"] or os.environ.get("SENDER", "") or str(message.get("Return-Path", ""))
        results = inbound.receive(raw, recipients, sender)
        accepted = [r for r in results if r.accepted]
        for result in results:
            if result.accepted:
                self.stdout.write(f"{result.recipient}: {result.reason or 'accepted'}")
        if accepted:
            # Partly posted: the exit code speaks for the whole message, so the refusals are emailed.
            inbound.queue_bounces(raw, results, sender)
            return
        refusal = next((r for r in results if r.problem is inbound.Problem.TEMPORARY), results[0])
        raise CommandError(f"{refusal.recipient}: {inbound.ascii_line(refusal.reason)}", returncode=refusal.exit_code)


def _env_recipients() -> list[str]:
    value = os.environ.get("ORIGINAL_RECIPIENT") or os.environ.get("RECIPIENT") or ""
    return [value] if value else []


def _header_recipients(message: Any) -> list[str]:
    found: list[str] = []
    for name in ("Delivered-To", "X-Original-To", "To", "Cc"):
        for value in message.get_all(name) or []:
            addresses = getattr(value, "addresses", None)
            specs = [a.addr_spec for a in addresses] if addresses else [str(value)]
            for spec in specs:
                if split_recipient(spec).kind and spec.lower() not in {f.lower() for f in found}:
                    found.append(spec)
        if found and name in {"Delivered-To", "X-Original-To"}:
            break
    return found
