from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from alveole.accounts.models import Role, User
from alveole.core.errors import AlveoleError
from alveole.orgs.models import Organisation
from alveole.scim.actions import create_scim_token


class Command(BaseCommand):
    help = (
        "Provisioning tokens: `scimtoken create --organisation O [--owner-email E] [--name N]` prints a new SCIM "
        "token for the organisation (its name or id). The identity provider acts with the rights of the owner "
        "the token is made for (the longest-standing active owner unless --owner-email names one)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a provisioning token and print it")
        create.add_argument("--organisation", required=True, help="The organisation's name or id")
        create.add_argument("--owner-email", default="", help="The owner the provider acts as")
        create.add_argument("--name", default="Identity provider")

    def handle(self, *args: Any, **options: Any) -> None:
        wanted = options["organisation"].strip()
        orgs = Organisation.objects.filter(name__iexact=wanted)
        if not orgs.exists() and wanted.isdigit():
            orgs = Organisation.objects.filter(pk=int(wanted))
        found = list(orgs[:2])
        if len(found) != 1:
            raise CommandError(
                f"No organisation named {wanted}."
                if not found
                else f"Several organisations are named {wanted}: use its id."
            )
        owners = User.objects.filter(organisation=found[0], role=Role.OWNER, is_active=True).order_by("pk")
        if options["owner_email"]:
            owners = owners.filter(email__iexact=options["owner_email"].strip())
        owner = owners.first()
        if owner is None:
            raise CommandError(f"{found[0].name} has no active owner with that address.")
        try:
            _token, secret = create_scim_token(owner, name=options["name"])
        except AlveoleError as exc:
            raise CommandError(" ".join([exc.message, *exc.fields.values()])) from None
        # The secret alone goes to stdout so that scripts can capture it; the base URL to stderr.
        self.stderr.write(f"SCIM base URL: {settings.ALVEOLE_BASE_URL}/scim/v2")
        self.stdout.write(secret)
