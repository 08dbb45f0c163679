from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from alveole.core.bounds import MAX_ID
from alveole.search import actions


def _org_id(value: str) -> int:
    number = int(value)
    if not 1 <= number <= MAX_ID:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = "The search index. `reindex` rebuilds it from the posts, comments, files, tasks, people and spaces."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        reindex = sub.add_parser("reindex", help="Rebuild the index of every organisation, or of one.")
        reindex.add_argument("--org", type=_org_id, default=None, help="Only this organisation's id.")

    def handle(self, *args: Any, **options: Any) -> None:
        counts = actions.reindex(organisation_id=options["org"])
        summary = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n)
        self.stdout.write(self.style.SUCCESS(f"Search index rebuilt: {summary or 'nothing to index'}."))
