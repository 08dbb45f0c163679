"""Real processes for the fault suite: a PostgreSQL cluster, a Redis server and Alvéole's own
processes, each on a free port under one temporary directory, each killable with -9.

Every child is started from the main thread with PR_SET_PDEATHSIG, so that a test run that is
itself killed leaves no server behind; the normal path stops them explicitly.
"""

from __future__ import annotations

import ctypes
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

# The Alvéole tree whose processes are started: this repository, or another checkout (e.g. an
# export of an older commit, to see which checks fail there) named by ALVEOLE_FAULTS_APP.
ROOT = Path(os.environ.get("ALVEOLE_FAULTS_APP") or Path(__file__).resolve().parents[2]).resolve()
SEED = Path(__file__).resolve().parent / "seed.py"
SECRET_KEY = "fault-suite-" + "k" * 50
# The lease after which a job abandoned by a killed worker is run again: short, so that a
# scenario waits seconds rather than the production default.
JOB_LEASE_SECONDS = 5


class ServiceMissing(RuntimeError):
    """A binary the suite needs (PostgreSQL, redis-server) is not installed."""


class Gone(RuntimeError):
    """A process we wait for has exited: waiting longer is pointless."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(
    condition: Callable[[], Any],
    *,
    timeout: float,
    every: float = 0.1,
    what: str = "",
    ignore: tuple[type[Exception], ...] = (Exception,),
) -> Any:
    """Poll `condition` until it returns something truthy; raise TimeoutError after `timeout` seconds.

    Exceptions of the `ignore` types count as "not yet" (a service still starting may raise anything)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = condition()
        except Gone:
            raise
        except ignore:
            value = None
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"not within {timeout:.0f} s: {what}")
        time.sleep(every)


def _die_with_parent() -> None:
    # Runs in the child between fork and exec (after any change of user, which would clear it).
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


class Proc:
    """One child process with its log file; `kill()` is a real kill -9."""

    def __init__(self, name: str, command: list[str], *, env: dict[str, str], log_dir: Path, user: str | None = None):
        self.name, self.command, self.env, self.user = name, command, env, user
        self.log = log_dir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> Proc:
        if threading.current_thread() is not threading.main_thread():
            raise RuntimeError("start children from the main thread (the death signal follows the thread)")
        with open(self.log, "ab") as log:
            log.write(f"\n--- start {self.starts + 1} at {time.strftime('%X')}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                user=self.user,
                process_group=0,  # its own group: a kill reaches its children too (sh, nice)
                preexec_fn=_die_with_parent,
            )
        self.starts += 1
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def _signal_group(self, sig: signal.Signals) -> None:
        assert self.process is not None
        try:
            os.killpg(self.process.pid, sig)
        except ProcessLookupError:
            pass  # already gone

    def kill(self) -> None:
        """kill -9, no warning: as in a crash."""
        if self.alive():
            assert self.process is not None
            self._signal_group(signal.SIGKILL)
            self.process.wait(10)

    def stop(self, timeout: float = 10) -> None:
        if self.alive():
            assert self.process is not None
            self._signal_group(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def errors(self) -> int:
        """Tracebacks in the log: a cheap sign of what went wrong inside."""
        try:
            return self.log.read_text(errors="replace").count("Traceback (most recent call last)")
        except OSError:
            return 0


def _as_root() -> bool:
    return os.geteuid() == 0


def postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("postgres") or shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).parent
    raise ServiceMissing("no PostgreSQL server binaries (looked in /usr/lib/postgresql/*/bin and PATH)")


class PostgresCluster:
    """A throw-away cluster (initdb, trust auth). As root it runs as the `postgres` user."""

    def __init__(self, base: Path) -> None:
        self.bin = postgres_bin()
        self.dir = base / "pg"
        self.data = self.dir / "data"
        self.port = free_port()
        self.user = "postgres" if _as_root() else None
        self.proc: Proc | None = None

    @property
    def admin_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def init(self) -> PostgresCluster:
        self.dir.mkdir(parents=True)
        if self.user:
            os.chmod(self.dir.parent, 0o711)  # mkdtemp's 0700 would keep the postgres user out
            shutil.chown(self.dir, self.user)
        result = subprocess.run(
            [str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
             "--locale=C", "--no-sync"],
            capture_output=True, text=True, user=self.user, timeout=120,
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
        # fsync off is safe against process kills (the OS keeps the writes); synchronous_commit
        # stays on, so a commit acknowledged to Alvéole survives an immediate shutdown.
        command = [str(self.bin / "postgres"), "-D", str(self.data), "-p", str(self.port), "-k", str(self.dir),
                   "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off",
                   "-c", "max_connections=200", "-c", "shared_buffers=64MB"]  # fmt: skip
        self.proc = Proc("postgres", command, env=dict(os.environ), log_dir=self.dir.parent, user=self.user)
        return self

    def start(self, timeout: float = 60) -> float:
        """Start the server; returns the moment it accepts connections (time.monotonic())."""
        assert self.proc is not None
        self.proc.start()
        return wait_until(self._ready, timeout=timeout, every=0.05, what="PostgreSQL accepts connections")

    def _ready(self) -> float | None:
        assert self.proc is not None
        if not self.proc.alive():
            raise Gone(f"PostgreSQL stopped:\n{self.proc.tail()}")
        import psycopg

        with psycopg.connect(self.admin_url, connect_timeout=2) as conn:
            conn.execute("SELECT 1")
        return time.monotonic()

    def stop_immediate(self) -> None:
        """`pg_ctl stop -m immediate`: every backend quits at once, as in a crash; recovery at start."""
        subprocess.run(
            [str(self.bin / "pg_ctl"), "stop", "-D", str(self.data), "-m", "immediate", "-w", "-t", "30"],
            check=True, capture_output=True, user=self.user, timeout=60,
        )  # fmt: skip
        assert self.proc is not None and self.proc.process is not None
        self.proc.process.wait(30)

    def execute(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.stop(timeout=15)


class RedisServer:
    def __init__(self, base: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise ServiceMissing("redis-server is not installed")
        self.port = free_port()
        self.dir = base / "redis"
        self.dir.mkdir(parents=True, exist_ok=True)
        command = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                   "--dir", str(self.dir)]  # fmt: skip
        self.proc = Proc("redis", command, env=dict(os.environ), log_dir=base)

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self, timeout: float = 20) -> float:
        self.proc.start()
        return wait_until(self._ready, timeout=timeout, every=0.05, what="Redis answers PING")

    def _ready(self) -> float | None:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            if s.recv(16).startswith(b"+PONG"):
                return time.monotonic()
        return None

    def kill(self) -> None:
        self.proc.kill()

    def stop(self) -> None:
        self.proc.stop()


def app_env(var_dir: Path, *, database_url: str, redis_url: str = "", embedded_worker: bool = False) -> dict[str, str]:
    """The environment of an Alvéole process: nothing of the test run's own settings leaks in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALVEOLE_", "DATABASE_URL", "REDIS_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="alveole.settings",
        PYTHONPATH=str(ROOT),
        SECRET_KEY=SECRET_KEY,
        ALVEOLE_VAR_DIR=str(var_dir),
        ALVEOLE_LOG_LEVEL="warning",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        ALVEOLE_EMBEDDED_WORKER="1" if embedded_worker else "0",
        ALVEOLE_JOB_LEASE_SECONDS=str(JOB_LEASE_SECONDS),
    )
    return env


def alveole(*args: str) -> list[str]:
    return [sys.executable, "-m", "alveole.cli", *args]


def seed_command() -> list[str]:
    # run_path: the suite's folder stays off sys.path, so its modules cannot shadow the app's.
    return [sys.executable, "-c", f"import runpy; runpy.run_path({str(SEED)!r}, run_name='__main__')"]


def run_alveole(env: dict[str, str], *args: str, timeout: float = 180) -> str:
    result = subprocess.run(alveole(*args), cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"alveole {' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
    return result.stdout


class Web:
    """One `alveole run --no-migrate` process on its own port."""

    def __init__(self, name: str, env: dict[str, str], log_dir: Path) -> None:
        self.port = free_port()
        self.proc = Proc(name, alveole("run", "--no-migrate", "--port", str(self.port)), env=env, log_dir=log_dir)

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def start(self, timeout: float = 90) -> float:
        """Start and wait until /healthz answers (any status: Redis may be down on purpose)."""
        self.proc.start()
        return self.wait_ready(timeout)

    def wait_ready(self, timeout: float = 90) -> float:
        def answers() -> float | None:
            if not self.proc.alive():
                raise Gone(f"{self.proc.name} stopped:\n{self.proc.tail()}")
            try:
                with urllib.request.urlopen(self.http + "/healthz", timeout=2):
                    return time.monotonic()
            except urllib.error.HTTPError:
                return time.monotonic()  # it answers; /healthz may say 503 while Redis is down on purpose

        try:
            return wait_until(answers, timeout=timeout, what=f"{self.proc.name} answers /healthz")
        except TimeoutError as exc:
            raise TimeoutError(f"{exc}\n{self.proc.tail()}") from None
