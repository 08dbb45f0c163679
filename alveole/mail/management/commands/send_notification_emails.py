from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from alveole.mail import outbound


class Command(BaseCommand):
    help = (
        "Send the notification emails and digests that are due now (the scheduler does this every minute; "
        "run it from cron when no worker runs the schedule). Safe to run often and from several machines."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-digests", action="store_true", help="Only the per-thread notification emails")

    def handle(self, *args: Any, **options: Any) -> None:
        sent = outbound.send_notification_emails()
        messages = outbound.send_message_emails()
        digests = 0 if options["no_digests"] else outbound.send_digest_emails()
        self.stdout.write(f"{sent} notification email(s), {messages} message email(s), {digests} digest(s) sent.")
