from __future__ import annotations

import os
import socket
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from alveole.core.periodic import start_scheduler_thread
from alveole.core.worker import start_worker_thread
from alveole.shell.demo import seed_demo

from .seed_demo import demo_logins


class Command(BaseCommand):
    help = "Migrate, optionally load the demo organisation, and serve Alvéole (ASGI, uvicorn)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--demo", action="store_true", help="Create the demo organisation on first start")
        parser.add_argument("--no-migrate", action="store_true")
        parser.add_argument(
            "--reuse-port",
            action="store_true",
            help="Bind with SO_REUSEPORT so that several `alveole run` processes (one per core) share the port;"
            " the kernel spreads new connections between them.",
        )
        parser.add_argument(
            "--workers", type=int, default=1, help="uvicorn worker processes behind one listening socket"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["reuse_port"] and options["workers"] > 1:
            raise CommandError("Use either --reuse-port (one process each) or --workers, not both.")
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        call_command("compilemessages_py", verbosity=0)
        if options["demo"]:
            if settings.PRODUCTION:
                raise CommandError("The demo organisation is not available with ALVEOLE_ENV=production.")
            seed_demo()
            self.stdout.write(demo_logins())
        if settings.ALVEOLE_EMBEDDED_WORKER:
            # One machine, one process: jobs and schedules run beside the server.
            start_worker_thread()
            start_scheduler_thread()
            self.stdout.write("Background jobs run in this process (ALVEOLE_EMBEDDED_WORKER=1).")
        url = f"http://{options['host']}:{options['port']}"
        if not os.environ.get("ALVEOLE_BASE_URL"):
            # Links in emails and invitations follow the address really served (PORT=8841 make run),
            # unless the operator named the public address. Set before uvicorn imports the app.
            shown = options["host"] if options["host"] not in {"0.0.0.0", "::", ""} else "127.0.0.1"  # noqa: S104
            os.environ["ALVEOLE_BASE_URL"] = settings.ALVEOLE_BASE_URL = f"http://{shown}:{options['port']}"
        self.stdout.write(self.style.SUCCESS(f"Alvéole is starting on {url}  (Ctrl+C to stop)"))
        import uvicorn

        config = uvicorn.Config(
            "alveole.asgi:application",
            host=options["host"],
            port=options["port"],
            workers=options["workers"],
            lifespan="off",
            # The sans-I/O WebSocket implementation writes a frame straight to the socket:
            # measured cheaper per message than the legacy one for broadcast (bench/RESULTS.md).
            ws=os.environ.get("ALVEOLE_WS_IMPL", "websockets-sansio"),
            # Compression doubled CPU and memory per socket for broadcast traffic.
            ws_per_message_deflate=False,
            proxy_headers=settings.ALVEOLE_BEHIND_PROXY,
            log_level=os.environ.get("ALVEOLE_LOG_LEVEL", "info").lower(),
        )
        if options["reuse_port"]:
            # uvicorn --workers shares one accept queue, and keep-alive connections pile up unevenly
            # on one worker (bench/RESULTS.md); independent processes on SO_REUSEPORT are balanced
            # per connection by the kernel.
            sock = socket.socket(socket.AF_INET6 if ":" in options["host"] else socket.AF_INET)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((options["host"], options["port"]))
            sock.set_inheritable(True)
            uvicorn.Server(config).run(sockets=[sock])
        elif options["workers"] > 1:
            from uvicorn.supervisors import Multiprocess

            sock = config.bind_socket()
            Multiprocess(config, sockets=[sock]).run()
        else:
            uvicorn.Server(config).run()
