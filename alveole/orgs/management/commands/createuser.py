from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from alveole.accounts.models import Role
from alveole.core.errors import AlveoleError
from alveole.orgs.actions import create_user
from alveole.orgs.models import Organisation

from .createorg import explain


class Command(BaseCommand):
    help = "Create an account in an organisation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", required=True, help="Full name")
        parser.add_argument("--role", default=Role.MEMBER, choices=Role.values)
        parser.add_argument("--password")
        parser.add_argument("--org", type=int, help="Organisation id (needed when there are several)")

    def handle(self, *args: Any, **options: Any) -> None:
        orgs = Organisation.objects.all()
        if options["org"]:
            orgs = orgs.filter(pk=options["org"])
        found = list(orgs[:2])
        if not found:
            raise CommandError("No such organisation: create one with `alveole createorg` first.")
        if len(found) > 1:
            raise CommandError("There are several organisations: choose one with --org ID.")
        try:
            user = create_user(
                organisation=found[0],
                email=options["email"],
                full_name=options["name"],
                role=options["role"],
                password=options["password"],
            )
        except AlveoleError as exc:
            raise CommandError(explain(exc)) from exc
        self.stdout.write(f"Created {user.role} {user.email} in “{found[0]}”.")
