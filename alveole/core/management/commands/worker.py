from __future__ import annotations

import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from alveole.core.worker import JobWorker, new_worker_id


class Command(BaseCommand):
    help = "Run background jobs (notifications, emails, exports) under a lease, with retries."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls of an empty queue")
        parser.add_argument("--max-jobs", type=int, default=None, help="stop after this many jobs")
        parser.add_argument("--until-empty", action="store_true", help="stop once no job is waiting")

    def handle(self, *args: Any, **options: Any) -> None:
        worker = JobWorker(
            worker_id=new_worker_id(),
            interval=options["interval"],
            max_jobs=options["max_jobs"],
            stop_when_empty=options["until_empty"],
        )

        def stop(signum: int, _frame: object) -> None:
            # Finish the job at hand, then leave; a second signal ends at once (the lease recovers it).
            if not worker.running:
                raise SystemExit(1)
            worker.running = False
            self.stderr.write(f"{signal.strsignal(signum)}: finishing the current job, then stopping.")

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        self.stdout.write(f"Worker {worker.worker_id} is running jobs (Ctrl+C to stop).")
        worker.run()
