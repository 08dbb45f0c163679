from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from alveole.core import audit
from alveole.core.bounds import MAX_ID


def _org_id(value: str) -> int:
    number = int(value)
    if not 1 <= number <= MAX_ID:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = "The audit log. `verify` recomputes the hash chains and names the first broken row."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help="Check the hash chain of every organisation, or of one.")
        verify.add_argument("--org", type=_org_id, default=None, help="Only this organisation's id.")

    def handle(self, *args: Any, **options: Any) -> None:
        checked, broken = audit.verify(options["org"])
        if broken is not None:
            raise CommandError(
                f"The audit log is broken at row {broken.id} ({broken.created_at}, {broken.action}): "
                f"{broken.reason}. {checked} rows before it are intact."
            )
        scope = f"organisation {options['org']}" if options["org"] is not None else "all organisations"
        self.stdout.write(self.style.SUCCESS(f"Audit log OK: {checked} rows chained ({scope})."))
