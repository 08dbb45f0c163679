from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from .seed_demo import demo_logins


class Command(BaseCommand):
    help = "Migrate, optionally load the demo organisation, and serve Alvéole (ASGI, uvicorn)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--demo", action="store_true", help="Create the demo organisation on first start")
        parser.add_argument("--no-migrate", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        call_command("compilemessages_py", verbosity=0)
        if options["demo"]:
            if settings.PRODUCTION:
                raise CommandError("The demo organisation is not available with ALVEOLE_ENV=production.")
            from alveole.core.demo import seed_demo

            seed_demo()
            self.stdout.write(demo_logins())
        if settings.ALVEOLE_EMBEDDED_WORKER:
            # One machine, one process: jobs and schedules run beside the server.
            from alveole.core.periodic import start_scheduler_thread, start_worker_thread

            start_worker_thread()
            start_scheduler_thread()
            self.stdout.write("Background jobs run in this process (ALVEOLE_EMBEDDED_WORKER=1).")
        url = f"http://{options['host']}:{options['port']}"
        self.stdout.write(self.style.SUCCESS(f"Alvéole is starting on {url}  (Ctrl+C to stop)"))
        import uvicorn

        uvicorn.run(
            "alveole.asgi:application",
            host=options["host"],
            port=options["port"],
            lifespan="off",
            # The sans-I/O WebSocket implementation writes a frame straight to the socket:
            # measured cheaper per message than the legacy one for broadcast (bench/RESULTS.md).
            ws=os.environ.get("ALVEOLE_WS_IMPL", "websockets-sansio"),
            # Compression doubled CPU and memory per socket for broadcast traffic.
            ws_per_message_deflate=False,
            proxy_headers=settings.ALVEOLE_BEHIND_PROXY,
            log_level=os.environ.get("ALVEOLE_LOG_LEVEL", "info").lower(),
        )
