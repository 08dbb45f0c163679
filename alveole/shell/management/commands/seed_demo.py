from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from alveole.shell.demo import DEMO_PASSWORD, DEMO_PEOPLE, seed_demo


class Command(BaseCommand):
    help = "Create the demo organisation (once) and print its logins."

    def handle(self, *args: Any, **options: Any) -> None:
        seed_demo()
        self.stdout.write(demo_logins())


def demo_logins() -> str:
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD}):"]
    lines += [f"  {email:<24} {name} — {role}" for email, name, role, _title in DEMO_PEOPLE]
    return "\n".join(lines)
