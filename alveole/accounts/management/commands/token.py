from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from alveole.accounts.actions import create_token
from alveole.accounts.models import User
from alveole.core.errors import AlveoleError


class Command(BaseCommand):
    help = (
        "Manage personal access tokens: `token create --email E [--organisation O] [--name N]` prints a new "
        "token (a token is for one organisation: name it when the address has accounts in several)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token and print it")
        create.add_argument("--email", required=True)
        create.add_argument("--organisation", default="", help="The organisation's name or id")
        create.add_argument("--name", default="Command line")

    def handle(self, *args: Any, **options: Any) -> None:
        accounts = User.objects.filter(
            email__iexact=options["email"].strip(), organisation__isnull=False, is_active=True
        ).order_by("pk")
        org = options["organisation"].strip()
        if org:
            by_name = accounts.filter(organisation__name__iexact=org)
            accounts = accounts.filter(organisation_id=int(org)) if org.isdigit() and not by_name else by_name
        found = list(accounts[:2])
        if not found:
            raise CommandError(f"No active account with the email {options['email']}.")
        if len(found) > 1:
            raise CommandError(f"{options['email']} has accounts in several organisations: add --organisation.")
        user = found[0]
        try:
            _token, secret = create_token(user, name=options["name"])
        except AlveoleError as exc:  # a bad name, or two-factor to set up first
            raise CommandError(exc.message) from None
        # Only the secret goes to stdout so that scripts can capture it.
        self.stdout.write(secret)
