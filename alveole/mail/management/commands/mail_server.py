from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from alveole.mail.smtp import make_controller


class Command(BaseCommand):
    help = (
        "Receive email over SMTP (replies to notifications, posts to space addresses) on ALVEOLE_SMTP_HOST:"
        "ALVEOLE_SMTP_PORT. Put it behind your MTA, or point the MX of ALVEOLE_MAIL_DOMAIN at it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=None, help="Address to listen on (default: ALVEOLE_SMTP_HOST)")
        parser.add_argument("--port", type=int, default=None, help="Port (default: ALVEOLE_SMTP_PORT)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.ALVEOLE_MAIL_DOMAIN:
            raise CommandError("Set ALVEOLE_MAIL_DOMAIN (the domain of the reply and space addresses) first.")

        controller = make_controller(options["host"], options["port"])
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        controller.start()
        self.stdout.write(
            self.style.SUCCESS(
                f"Receiving mail for {settings.ALVEOLE_MAIL_DOMAIN} on {controller.hostname}:{controller.port}"
                "  (Ctrl+C to stop)"
            )
        )
        try:
            stop.wait()
        finally:
            controller.stop()
