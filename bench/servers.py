"""Server processes for the benchmarks, and what they cost (CPU, memory) while measured.

Configurations (`start(config, …)`):

- `embedded`: `alveole run` on SQLite, one process, jobs in-process: the default install;
- `postgres`: PostgreSQL + Redis, one `alveole run --reuse-port` process per core
  (the kernel balances connections between them) and one `alveole worker`;
- `postgres-workers`: the same behind `alveole run --workers 2` (uvicorn's
  supervisor, one shared accept queue), for comparison;
- `bare-django-sqlite`: the same on the embedded SQLite file, one process;
- `bare-django`: bench.bare_django (the same SQL with no product logic) on the same
  PostgreSQL, one process per core with SO_REUSEPORT: what the machine allows.

`python -m bench.servers APP PORT` serves an ASGI app on a SO_REUSEPORT socket.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024
CONFIGS = ("embedded", "bare-django-sqlite", "postgres", "postgres-workers", "bare-django")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def descendants(pid: int) -> list[int]:
    """The process and all its children (uvicorn --workers forks its workers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLK_TCK


def rss_mib(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_KIB
        except OSError:
            continue
    return total / 1024


class Meter:
    """Samples the servers' CPU and peak memory between start() and stop()."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.peak_rss = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.25):
            self.peak_rss = max(self.peak_rss, rss_mib(self.pids))

    def start(self) -> Meter:
        self.peak_rss = rss_mib(self.pids)
        self._cpu, self._wall = cpu_seconds(self.pids), time.monotonic()
        self._thread.start()
        return self

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join()
        wall = time.monotonic() - self._wall
        return {
            "server_cpu_pct_of_core": round(100 * (cpu_seconds(self.pids) - self._cpu) / wall, 1),
            "server_rss_peak_mib": round(self.peak_rss, 1),
        }


def wait_http(port: int, timeout: float = 90, path: str = "/healthz") -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status < 500:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answers on port {port}{path}")


@dataclass
class Servers:
    config: str
    port: int
    env: dict[str, str]
    logdir: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def _spawn(self, command: list[str], name: str) -> None:
        log = open(self.logdir / f"{self.config}-{name}-{self.port}.log", "ab")  # kept open for the process's life
        self.processes.append(subprocess.Popen(command, env=self.env, cwd=ROOT, stdout=log, stderr=log))

    def start(self) -> Servers:
        run = [sys.executable, "-m", "alveole.cli", "run", "--no-migrate", "--port", str(self.port)]
        processes = os.cpu_count() or 2
        if self.config == "embedded":
            self._spawn(run, "web")
        elif self.config == "postgres":
            for i in range(processes):
                self._spawn([*run, "--reuse-port"], f"web{i}")
            self._spawn([sys.executable, "-m", "alveole.cli", "worker"], "worker")
        elif self.config == "postgres-workers":
            self._spawn([*run, "--workers", str(processes)], "web")
            self._spawn([sys.executable, "-m", "alveole.cli", "worker"], "worker")
        elif self.config in ("bare-django", "bare-django-sqlite"):
            for i in range(processes if self.config == "bare-django" else 1):
                self._spawn(
                    [sys.executable, "-m", "bench.servers", "bench.bare_django:application", str(self.port)], f"{i}"
                )
        else:
            raise ValueError(f"unknown configuration {self.config!r}; one of {CONFIGS}")
        wait_http(self.port, path="/" if self.config.startswith("bare") else "/healthz")
        time.sleep(1)  # let every process of a SO_REUSEPORT group finish binding
        return self

    def pids(self) -> list[int]:
        return [pid for p in self.processes for pid in descendants(p.pid)]

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()


def serve_reuseport(app: str, port: int) -> None:
    import uvicorn

    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    serve_reuseport(sys.argv[1], int(sys.argv[2]))
