"""Django's migrate, with allauth's user-email data migrations pointed away from `login_email`.

allauth's `account.0006_emailaddress_lower` and `0008_…_fixup` query the user model by
ACCOUNT_USER_MODEL_EMAIL_FIELD. On a fresh database they run right after `accounts.0001`, before
`accounts.0004` adds `login_email`, so the query fails. They only lowercase and tidy existing rows
(Alvéole stores addresses lowercased already); on a fresh database there are none. So every migrate
runs with the setting unset, which those two migrations read as "the user model has no email field".
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import migrate
from django.test.utils import override_settings


class Command(migrate.Command):
    def handle(self, *args: Any, **options: Any) -> None:
        with override_settings(ACCOUNT_USER_MODEL_EMAIL_FIELD=None):
            super().handle(*args, **options)
