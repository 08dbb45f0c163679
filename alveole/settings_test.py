"""Settings for the test suite.

The suite runs on SQLite by default, on PostgreSQL when ALVEOLE_TEST_DATABASE_URL
is set, and uses Redis for the cache when ALVEOLE_TEST_REDIS_URL is set.
"""

import os
import tempfile
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-" + "x" * 40)
os.environ.setdefault("ALVEOLE_VAR_DIR", tempfile.mkdtemp(prefix="alveole-test-"))


def _own_redis_database(url: str, worker: str) -> str:
    """pytest-xdist runs the suite in several processes (gw0, gw1…) and every test starts by clearing
    the cache: each process gets its own Redis database, the configured one for gw0 and the ones just
    below it for the others (CI configures 15, the last of Redis's 16). Running out of numbers is an
    error rather than a wrap-around onto databases someone else may use."""
    if not url or not worker.startswith("gw"):
        return url
    parts = urlsplit(url)
    number = parts.path.strip("/") or "0"
    mine = int(number) - int(worker[2:]) if number.isdigit() else -1
    if mine < 0:
        raise RuntimeError(
            f"ALVEOLE_TEST_REDIS_URL ends in database {number!r}; with test process {worker} the suite needs "
            "database numbers down to 0 from it: configure a higher one or run fewer processes (TEST_WORKERS)."
        )
    return urlunsplit(parts._replace(path=f"/{mine}"))


os.environ["ALVEOLE_TEST_REDIS_URL"] = _own_redis_database(
    os.environ.get("ALVEOLE_TEST_REDIS_URL", ""), os.environ.get("PYTEST_XDIST_WORKER", "")
)
os.environ["DATABASE_URL"] = os.environ.get("ALVEOLE_TEST_DATABASE_URL", "")
os.environ["REDIS_URL"] = os.environ["ALVEOLE_TEST_REDIS_URL"]
os.environ.pop("ALVEOLE_ENV", None)

from .settings import *  # noqa: F403, E402  (after the environment above is set)

# Argon2 is the production hasher (tested separately); the suite creates many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALVEOLE_BASE_URL = "http://testserver"
# Jobs run in-process right after the transaction commits; tests/test_worker.py runs the real queue.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
