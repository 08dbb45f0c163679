"""Real servers for the live tests: `alveole run` subprocesses on a database of their own.

The database is a temporary SQLite file, or — when ALVEOLE_TEST_DATABASE_URL
points at PostgreSQL — a fresh PostgreSQL database created for the test, so
that two server processes share it exactly as in production. Each is a copy of
one migrated database holding the demo organisation, prepared once per session:
migrating and seeding cost more than most of the tests themselves.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO_OWNER = "camille@example.com"
# DATABASE_URL -> email -> a token made in the seeded template, not handed out yet on that copy.
PREMADE_TOKENS: dict[str, dict[str, str]] = {}
# Made once in the template: a token for every active person with one account (what `token create` would make).
_MAKE_TOKENS = """
import json
from collections import Counter
from alveole.accounts.actions import create_token
from alveole.accounts.models import User
from alveole.core.errors import AlveoleError
people = list(User.objects.filter(is_active=True, organisation__isnull=False))
counts = Counter(p.email.lower() for p in people)
made = {}
for person in people:
    if counts[person.email.lower()] == 1:
        try:
            made[person.email] = create_token(person, name="live tests")[1]
        except AlveoleError:
            pass
print(json.dumps(made))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, env: dict[str, str], port: int | None = None) -> None:
        self.env = env
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log = Path(env["ALVEOLE_VAR_DIR"]) / f"server-{self.port}.log"

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def start(self, *, demo: bool = False) -> Server:
        # Every database here is a copy of the migrated template: nothing to migrate.
        command = [sys.executable, "-m", "alveole.cli", "run", "--no-migrate", "--port", str(self.port)]
        if demo:
            command.append("--demo")
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("server stopped:\n" + self.log.read_text()[-3000:])
            try:
                with urllib.request.urlopen(self.http + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        raise RuntimeError("server did not answer /healthz:\n" + self.log.read_text()[-3000:])

    def kill(self) -> None:
        """Kill -9: no graceful shutdown, sockets cut as in a crash."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "alveole.cli", *args], cwd=ROOT, env=self.env, capture_output=True, text=True
        )
        if result.returncode != 0:
            raise RuntimeError(result.stderr)
        return result.stdout.strip()

    def token(self, email: str) -> str:
        """A new personal access token of `email`'s account. The first asked for each person on a copy of the
        seeded template was made with the template (one process for all, instead of one per token)."""
        premade = PREMADE_TOKENS.get(self.env["DATABASE_URL"], {})
        if email in premade:
            return premade.pop(email)
        return self.manage("token", "create", "--email", email).splitlines()[-1]


def _admin_url(base_url: str) -> str:
    return urlunparse(urlparse(base_url)._replace(path="/postgres"))


def _postgres_database(base_url: str, template: str) -> Iterator[str]:
    import psycopg

    name = f"alveole_live_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_admin_url(base_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield urlunparse(urlparse(base_url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(_admin_url(base_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _base_env(var_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALVEOLE_", "DATABASE_URL", "REDIS_URL"))}
    env.update(
        ALVEOLE_VAR_DIR=var_dir,
        SECRET_KEY="live-tests-" + "k" * 50,
        ALVEOLE_LOG_LEVEL="warning",
        PYTHONPATH=str(ROOT),
        DJANGO_SETTINGS_MODULE="alveole.settings",
    )
    return env


@pytest.fixture(scope="session")
def _seeded_template() -> Iterator[tuple[str, dict[str, str]]]:
    """A migrated database with the demo organisation (a PostgreSQL database's name, or a SQLite file's path),
    and the tokens made in it."""
    var_dir = tempfile.mkdtemp(prefix="alveole-live-template-")
    env = _base_env(var_dir)
    database = os.environ.get("ALVEOLE_TEST_DATABASE_URL", "")
    if database.startswith("postgres"):
        import psycopg

        name = f"alveole_live_template_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(_admin_url(database), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = urlunparse(urlparse(database)._replace(path=f"/{name}"))
    else:
        name = f"{var_dir}/template.sqlite3"
        env["DATABASE_URL"] = f"sqlite:///{name}"
    try:
        Server(env).manage("migrate", "--verbosity", "0")
        Server(env).manage("seed_demo")
        tokens = json.loads(Server(env).manage("shell", "-c", _MAKE_TOKENS).splitlines()[-1])
        yield name, tokens
    finally:
        if database.startswith("postgres"):
            with psycopg.connect(_admin_url(database), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def live_env(_seeded_template: tuple[str, dict[str, str]]) -> Iterator[dict[str, str]]:
    """Environment for server processes sharing one fresh database (and Redis when `redis_url` is used): a copy
    of the session's seeded template, so `alveole run` finds nothing to migrate and the demo already there."""
    template, tokens = _seeded_template
    var_dir = tempfile.mkdtemp(prefix="alveole-live-")
    env = _base_env(var_dir)
    database = os.environ.get("ALVEOLE_TEST_DATABASE_URL", "")
    generator = None
    if database.startswith("postgres"):
        generator = _postgres_database(database, template)
        env["DATABASE_URL"] = next(generator)
    else:
        shutil.copyfile(template, f"{var_dir}/live.sqlite3")
        env["DATABASE_URL"] = f"sqlite:///{var_dir}/live.sqlite3"
    PREMADE_TOKENS[env["DATABASE_URL"]] = dict(tokens)
    yield env
    PREMADE_TOKENS.pop(env["DATABASE_URL"], None)
    if generator is not None:
        generator.close()


@pytest.fixture
def server(live_env: dict[str, str]) -> Iterator[Server]:
    """One server with the demo organisation."""
    srv = Server(live_env).start(demo=True)
    yield srv
    srv.stop()
