from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from alveole.accounts.actions import create_token
from alveole.accounts.models import User
from alveole.core.errors import AlveoleError


class Command(BaseCommand):
    help = "Manage personal access tokens: `token create --email E [--name N]` prints a new token."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token and print it")
        create.add_argument("--email", required=True)
        create.add_argument("--name", default="Command line")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"].strip(), is_active=True).first()
        if user is None:
            raise CommandError(f"No active account with the email {options['email']}.")
        try:
            _token, secret = create_token(user, name=options["name"])
        except AlveoleError as exc:  # a bad name, or two-factor to set up first
            raise CommandError(exc.message) from None
        # Only the secret goes to stdout so that scripts can capture it.
        self.stdout.write(secret)
