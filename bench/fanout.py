"""Fan-out benchmark: one space, N connected WebSocket clients, posts at a fixed rate.

    python -m bench.fanout [--sockets 1000 5000] [--rate 10] [--seconds 60] [--configs embedded postgres bare]

For each configuration and socket count it starts the server(s), connects the
clients from separate processes (bench.fanout_client, one per 2,500 sockets),
measures the server's memory per idle connection, then publishes `rate` posts
per second for `seconds` seconds on an open-loop schedule and records, for
every post, when each socket received it. Latency runs from the post's
`created_at` (set in the transaction, just before commit) to the receipt.

Configurations:
- embedded: `alveole run`, SQLite, in-process hub, one process;
- postgres: two `alveole run` processes on PostgreSQL + Redis, sockets split between them;
- bare: two bare relays (bench.bare_relay: one Redis subscription broadcasting to plain
  sockets, no Django), fed by Redis PUBLISH directly: the machine's limit.
Results: bench/results/fanout.json.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import http.client
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from .loadgen import percentile
from .servers import ROOT, free_port, rss_mib, wait_http

RESULTS = ROOT / "bench" / "results"
SOCKETS_PER_CLIENT = 2500


def rss_kib(pids: list[int]) -> int:
    return round(rss_mib(pids) * 1024)


def fresh_postgres(base: str, name: str) -> str:
    import psycopg

    parsed = urlparse(base)
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parsed._replace(path=f"/{name}"))


class Setup:
    """Servers of one configuration, with a space, its members' tokens and a publisher."""

    def __init__(self, config: str, args: argparse.Namespace, workdir: Path) -> None:
        self.config = config
        self.args = args
        self.workdir = workdir
        self.processes: list[subprocess.Popen[bytes]] = []
        self.ports: list[int] = []
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("ALVEOLE_", "DATABASE_URL", "REDIS_URL", "DJANGO_"))
        }
        self.env.update(
            SECRET_KEY="bench-" + "k" * 50,
            ALVEOLE_VAR_DIR=str(workdir / config),
            ALVEOLE_LOG_LEVEL="warning",
            ALVEOLE_EMBEDDED_WORKER="0",
            PYTHONPATH=str(ROOT),
        )
        self.tokens: list[str] = []
        self.space_id = 0
        self._local = threading.local()  # one HTTP / Redis connection per publishing thread

    def start(self) -> None:
        count = 1 if self.config == "embedded" else 2
        if self.config == "postgres":
            self.env["DATABASE_URL"] = fresh_postgres(self.args.database_url, "alveole_bench_fanout")
            self.env["REDIS_URL"] = self.args.redis_url
        elif self.config == "bare":
            self.env["REDIS_URL"] = self.args.redis_url
        if self.config != "bare":
            subprocess.run([sys.executable, "-m", "alveole.cli", "migrate", "-v0"], env=self.env, cwd=ROOT, check=True)
            summary = subprocess.run(
                [sys.executable, "-m", "bench.dataset", "--posts", "0", "--users", "50", "--spaces", "1",
                 "--tokens", "50", "--json"],
                env=self.env, cwd=ROOT, check=True, capture_output=True, text=True,
            )  # fmt: skip
            data = json.loads(summary.stdout.strip().splitlines()[-1])
            self.tokens, self.space_id = data["tokens"], data["space_ids"][0]
        for _ in range(count):
            port = free_port()
            if self.config == "bare":
                command = [sys.executable, "-m", "uvicorn", "bench.bare_relay:app", "--port", str(port),
                           "--ws", os.environ.get("ALVEOLE_WS_IMPL", "websockets-sansio"),
                           "--ws-per-message-deflate", "false", "--log-level", "warning"]  # fmt: skip
            else:
                command = [sys.executable, "-m", "alveole.cli", "run", "--no-migrate", "--port", str(port)]
            log = open(self.workdir / f"{self.config}-{port}.log", "wb")  # kept open for the process's life
            self.processes.append(subprocess.Popen(command, env=self.env, cwd=ROOT, stdout=log, stderr=log))
            self.ports.append(port)
        for port in self.ports:
            wait_http(port)

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()

    def restart(self, stop_timeout: float = 60) -> dict[str, float]:
        """Stop the server process(es) (SIGTERM, wait) and start them again: same commands, ports and env.

        No migration, no new data. Returns how long the stop took and when they answered /healthz again,
        in seconds from the call. A process still running after `stop_timeout` is killed (counted in "killed").
        """
        began = time.time()
        for process in self.processes:
            process.terminate()
        killed = 0
        for process in self.processes:
            try:
                process.wait(stop_timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                killed += 1
        stopped = time.time()
        restarted: list[subprocess.Popen[bytes]] = []
        for process, port in zip(self.processes, self.ports, strict=True):
            log = open(self.workdir / f"{self.config}-{port}.log", "ab")  # kept open for the process's life
            restarted.append(subprocess.Popen(process.args, env=self.env, cwd=ROOT, stdout=log, stderr=log))
        self.processes = restarted
        for port in self.ports:
            wait_http(port)
        return {"stop_s": stopped - began, "up_s": time.time() - began, "killed": killed}

    @property
    def urls(self) -> list[str]:
        return [f"ws://127.0.0.1:{port}/ws" for port in self.ports]

    def publish(self, n: int) -> tuple[int, float]:
        """Publish post number n; returns (post id, created_at as a Unix time)."""
        if self.config == "bare":
            import redis

            client = getattr(self._local, "redis", None)
            if client is None:
                client = self._local.redis = redis.Redis.from_url(self.args.redis_url)
            created = time.time()
            message = json.dumps(
                {"kind": "event", "type": "post.created", "data": {"post_id": n}}, separators=(",", ":")
            )
            client.publish("alveole:bare-relay", message)
            return n, created
        body = json.dumps({"space_id": self.space_id, "body": f"Fan-out test {n}"})
        headers = {"Authorization": f"Bearer {self.tokens[0]}", "Content-Type": "application/json"}
        for attempt in (1, 2):
            conn = getattr(self._local, "http", None)
            if conn is None:
                conn = self._local.http = http.client.HTTPConnection("127.0.0.1", self.ports[0], timeout=30)
            try:
                conn.request("POST", "/api/v1/posts", body=body, headers=headers)
                response = conn.getresponse()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed this idle keep-alive connection before our request reached it.
                conn.close()
                self._local.http = None
                if attempt == 2:
                    raise
        payload = json.loads(response.read())
        if response.status != 201:
            raise RuntimeError(f"post failed: {response.status} {payload}")
        created = datetime.fromisoformat(payload["created_at"].replace("Z", "+00:00")).timestamp()
        return payload["id"], created


def run_one(setup: Setup, sockets: int, args: argparse.Namespace) -> dict:
    tokens_file = setup.workdir / "tokens.txt"
    tokens_file.write_text("\n".join(setup.tokens))
    baseline = rss_kib([p.pid for p in setup.processes])
    clients = []
    per_client = args.per_client
    for index in range(max(1, -(-sockets // per_client))):
        share = min(per_client, sockets - index * per_client)
        out = setup.workdir / f"client-{setup.config}-{sockets}-{index}.json"
        command = [sys.executable, "-m", "bench.fanout_client", "--sockets", str(share), "--out", str(out)]
        for url in setup.urls:
            command += ["--url", url]
        if setup.tokens:
            command += ["--tokens-file", str(tokens_file)]
        clients.append((subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True), out))
    connected = 0
    for process, _out in clients:
        assert process.stdout is not None
        line = process.stdout.readline().split()
        if not line or line[0] != "READY":
            raise RuntimeError(f"a client did not get ready: {line}")
        connected += int(line[1])
    time.sleep(2)
    idle = rss_kib([p.pid for p in setup.processes])
    per_socket_kib = round((idle - baseline) / max(1, connected), 1)

    published: dict[int, float] = {}
    errors = 0
    total = int(args.rate * args.seconds)
    start = time.time() + 0.5
    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        futures = []
        for n in range(total):
            # Open loop: each post leaves at its scheduled time, whether or not the previous one returned.
            delay = start + n / args.rate - time.time()
            if delay > 0:
                time.sleep(delay)
            futures.append(pool.submit(setup.publish, n + 1))
        for future in futures:
            try:
                post_id, created = future.result()
                published[post_id] = created
            except Exception:  # noqa: BLE001 - counted as an error
                errors += 1
    time.sleep(args.grace)
    received: dict[int, list[float]] = {}
    for process, out in clients:
        process.terminate()
        process.wait(60)
        for key, times in json.loads(out.read_text())["received"].items():
            received.setdefault(int(key), []).extend(times)
    last_recipient, every_recipient = [], []
    lost = 0
    for post_id, created in published.items():
        times = received.get(post_id, [])
        lost += connected - len(times)
        if times:
            last_recipient.append(max(times) - created)
            every_recipient.extend(t - created for t in times)
    if not last_recipient:
        raise RuntimeError("no event reached any client: nothing was measured")
    return {
        "config": setup.config,
        "sockets": sockets,
        "connected": connected,
        "posts": len(published),
        "publish_errors": errors,
        "lost": lost,
        "last_recipient_p50_ms": round(percentile(last_recipient, 50) * 1000, 1),
        "last_recipient_p99_ms": round(percentile(last_recipient, 99) * 1000, 1),
        "any_recipient_p50_ms": round(percentile(every_recipient, 50) * 1000, 1),
        "any_recipient_p99_ms": round(percentile(every_recipient, 99) * 1000, 1),
        "server_rss_idle_kib_per_socket": per_socket_kib,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sockets", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--rate", type=float, default=10)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--grace", type=float, default=3)
    parser.add_argument("--per-client", type=int, default=SOCKETS_PER_CLIENT, help="sockets per client process")
    parser.add_argument("--configs", nargs="+", default=["embedded", "postgres", "bare"])
    parser.add_argument("--keep", action="store_true", help="keep the server logs (printed at the end)")
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/x")
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"))
    args = parser.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    report: dict = {
        "benchmark": "fan-out",
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "method": (
            f"one space; clients in separate processes (≤{args.per_client} sockets each); {args.rate} posts/s "
            f"for {args.seconds} s, open loop; latency from the post's created_at to receipt on each socket"
        ),
        "runs": [],
    }
    tmp = tempfile.mkdtemp(prefix="alveole-fanout-")
    try:
        for config in args.configs:
            for sockets in args.sockets:
                setup = Setup(config, args, Path(tmp))
                setup.start()
                try:
                    result = run_one(setup, sockets, args)
                finally:
                    setup.stop()
                report["runs"].append(result)
                print(json.dumps(result), flush=True)
    finally:
        if args.keep:
            print(f"logs kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    out = RESULTS / "fanout.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
