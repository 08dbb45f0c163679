"""Real servers for the live tests: `alveole run` subprocesses on a database of their own.

The database is a temporary SQLite file, or — when ALVEOLE_TEST_DATABASE_URL
points at PostgreSQL — a fresh PostgreSQL database created for the session, so
that two server processes share it exactly as in production.
"""

from __future__ import annotations

import os
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
        command = [sys.executable, "-m", "alveole.cli", "run", "--port", str(self.port)]
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
        return self.manage("token", "create", "--email", email).splitlines()[-1]


def _postgres_database(base_url: str) -> Iterator[str]:
    import psycopg

    name = f"alveole_live_{uuid.uuid4().hex[:8]}"
    parsed = urlparse(base_url)
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunparse(parsed._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def live_env(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """Environment for server processes sharing one fresh database (and Redis when `redis_url` is used)."""
    var_dir = tempfile.mkdtemp(prefix="alveole-live-")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALVEOLE_", "DATABASE_URL", "REDIS_URL"))}
    env.update(
        ALVEOLE_VAR_DIR=var_dir,
        SECRET_KEY="live-tests-" + "k" * 50,
        ALVEOLE_LOG_LEVEL="warning",
        PYTHONPATH=str(ROOT),
        DJANGO_SETTINGS_MODULE="alveole.settings",
    )
    database = os.environ.get("ALVEOLE_TEST_DATABASE_URL", "")
    if database.startswith("postgres"):
        generator = _postgres_database(database)
        env["DATABASE_URL"] = next(generator)
        yield env
        generator.close()
    else:
        env["DATABASE_URL"] = f"sqlite:///{var_dir}/live.sqlite3"
        yield env


@pytest.fixture
def server(live_env: dict[str, str]) -> Iterator[Server]:
    """One server with the demo organisation."""
    srv = Server(live_env).start(demo=True)
    yield srv
    srv.stop()
