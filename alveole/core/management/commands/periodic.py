from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from alveole.core.periodic import enqueue_due


class Command(BaseCommand):
    help = "Enqueue the scheduled jobs that are due (run every minute from cron or a systemd timer)."

    def handle(self, *args: Any, **options: Any) -> None:
        for path in enqueue_due():
            self.stdout.write(f"enqueued {path}")
