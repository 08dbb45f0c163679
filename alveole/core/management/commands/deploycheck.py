from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from alveole.core.health import _check_database, _check_redis
from alveole.settings import insecure_production_settings


class Command(BaseCommand):
    help = "Deployment checks: Django's --deploy checks, production settings, database and Redis."

    def handle(self, *args: Any, **options: Any) -> None:
        problems: list[str] = []
        call_command("check", deploy=settings.PRODUCTION)
        if settings.PRODUCTION:
            problems += insecure_production_settings()
        db = _check_database()
        self.stdout.write(f"database: {db['status']} ({settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]})")
        if db["status"] != "ok":
            problems.append(f"The database is not reachable ({db.get('error')}); check DATABASE_URL.")
        redis = _check_redis()
        self.stdout.write(f"redis: {redis['status']}")
        if redis["status"] == "error":
            problems.append(f"Redis is not reachable ({redis.get('error')}); check REDIS_URL.")
        if problems:
            raise CommandError("\n".join(problems))
        self.stdout.write(self.style.SUCCESS("Alvéole is ready to serve."))
