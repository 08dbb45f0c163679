from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from alveole.notifications import vapid


class Command(BaseCommand):
    help = (
        "The server's VAPID key for Web Push: creates the private key file if there is none "
        "(ALVEOLE_VAPID_PRIVATE_KEY_FILE, var/vapid_private.pem by default), then prints its path and the public "
        "application server key. Back the file up with the database; replacing it unsubscribes every device."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        path = vapid.ensure_key()
        self.stdout.write(f"private key: {path}")
        self.stdout.write(f"public key:  {vapid.application_server_key()}")
