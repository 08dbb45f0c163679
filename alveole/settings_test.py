"""Settings for the test suite.

The suite runs on SQLite by default, on PostgreSQL when ALVEOLE_TEST_DATABASE_URL
is set, and uses Redis for the cache when ALVEOLE_TEST_REDIS_URL is set.
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-" + "x" * 40)
os.environ.setdefault("ALVEOLE_VAR_DIR", tempfile.mkdtemp(prefix="alveole-test-"))
os.environ["DATABASE_URL"] = os.environ.get("ALVEOLE_TEST_DATABASE_URL", "")
os.environ["REDIS_URL"] = os.environ.get("ALVEOLE_TEST_REDIS_URL", "")
os.environ.pop("ALVEOLE_ENV", None)

from .settings import *  # noqa: F403

# Argon2 is the production hasher (tested separately); the suite creates many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALVEOLE_BASE_URL = "http://testserver"
# Jobs run in-process right after the transaction commits; tests/test_worker.py runs the real queue.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
