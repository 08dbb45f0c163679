"""The `alveole` command: operator tasks, on top of Django's management commands.

    alveole run [--demo] [--host H] [--port P]   serve Alvéole (migrates first)
    alveole migrate                              apply database migrations
    alveole createorg --name N --owner-email E --owner-name F [--password P]
    alveole createuser --email E --name F [--role R] [--password P]
    alveole token create --email E [--organisation O] [--name N]   print a personal access token
    alveole scimtoken create --organisation O [--owner-email E] [--name N]   print a provisioning (SCIM) token
    alveole check                                deployment checks (settings, database, Redis)
    alveole worker                               run background jobs (emails, notifications, exports)
    alveole periodic                             enqueue the scheduled jobs that are due (from cron)
    alveole audit verify [--org ID]              check the audit log's hash chain; names the first broken row
    alveole search reindex [--org ID]            rebuild the full-text search index
    alveole vapidkey                             create the Web Push (VAPID) key if missing; print the public key

Any other Django management command works too (`alveole shell`, `alveole showmigrations`).
"""

from __future__ import annotations

import os
import sys

# `alveole check` is the deployment check, not Django's plain system check.
ALIASES = {
    "check": "deploycheck",
    **{c: c.replace("-", "_") for c in ("mail-server", "receive-email", "send-notification-emails")},
}


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alveole.settings")
    from django.core.management import execute_from_command_line

    command = ALIASES.get(args[0], args[0])
    execute_from_command_line(["alveole", command, *args[1:]])


if __name__ == "__main__":
    main()
