from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from alveole.core.errors import AlveoleError
from alveole.orgs.actions import create_organisation


def explain(exc: AlveoleError) -> str:
    details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
    return f"{exc.message} {details}".strip()


class Command(BaseCommand):
    help = "Create an organisation and its first owner."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="Organisation name")
        parser.add_argument("--owner-email", required=True)
        parser.add_argument("--owner-name", required=True)
        parser.add_argument("--password", help="Owner's password (omit to set it with a reset link)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            owner = create_organisation(
                name=options["name"],
                owner_email=options["owner_email"],
                owner_name=options["owner_name"],
                password=options["password"],
            )
        except AlveoleError as exc:
            raise CommandError(explain(exc)) from exc
        self.stdout.write(
            f"Created organisation “{owner.organisation}” (id {owner.organisation_id}) owned by {owner.email}."
        )
        if not options["password"]:
            self.stdout.write("No password set: use “Forgot password?” on the sign-in page to choose one.")
