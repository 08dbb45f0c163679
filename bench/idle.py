"""Idle sockets: memory and CPU of many open, quiet WebSockets, and a server restart under them.

    python -m bench.idle [--sockets 10000] [--idle-seconds 120] [--configs embedded postgres] [--ping-interval 25]

For each configuration (see bench.fanout: "embedded", "postgres", "bare") it
starts the server(s), connects the sockets from separate processes
(bench.fanout_client in --reconnect mode, one per `--per-client` sockets), then:

1. memory: the servers' RSS with every socket open and idle, minus their RSS
   before, divided by the sockets (as bench.fanout);
2. idle CPU: the servers' utime + stime (/proc/<pid>/stat) over `--idle-seconds`
   while nothing happens, as a percentage of one core, summed over the processes.
   The server re-checks each socket's access every ALVEOLE_LIVE_RECHECK_SECONDS
   (60 s by default): keep the window longer than that;
3. restart: one post is published and received by everyone, the server(s) are
   restarted (SIGTERM, wait, start again on the same ports), and `--posts-after`
   more posts are published as soon as they answer /healthz. The clients come
   back to `?after=<last event they applied>` after a random delay spread over
   `--reconnect-spread` seconds (exponential backoff on failure). Measured from
   the moment the restart began: until every socket has reconnected, and until
   every socket has received every post (catch-up). Sockets that never came
   back and posts a socket never received are counted, up to `--deadline`.

Targets (the idle-sockets issue): 10,000 sockets, ≤ 40 KiB of server memory
each, idle server CPU ≤ 10 % of one core, everyone caught up ≤ 60 s after a restart.
Results: bench/results/idle.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .fanout import SOCKETS_PER_CLIENT, Setup, rss_kib
from .feed_latency import ROOT

RESULTS = ROOT / "bench" / "results"
TARGETS = {"sockets": 10_000, "kib_per_socket": 40, "idle_cpu_pct_of_core": 10, "restart_caught_up_s": 60}
CLK_TCK = os.sysconf("SC_CLK_TCK")


# -- pure helpers (tested in bench/tests/test_idle.py) -------------------------------------------


def cpu_ticks(stat: str) -> int:
    """utime + stime, in clock ticks, from the text of /proc/<pid>/stat."""
    # The command name (field 2) is in parentheses and may hold spaces: count fields after the last ")".
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])  # fields 14 and 15 of the whole line


def cpu_percent(ticks_before: int, ticks_after: int, seconds: float, clk_tck: int = CLK_TCK) -> float:
    """CPU used between two samples, as a percentage of one core."""
    if seconds <= 0:
        raise ValueError("the CPU window must last more than zero seconds")
    return (ticks_after - ticks_before) / clk_tck / seconds * 100


def read_cpu_ticks(pids: list[int]) -> int:
    return sum(cpu_ticks(Path(f"/proc/{pid}/stat").read_text()) for pid in pids)


@dataclass
class SocketLog:
    """What one client socket recorded: its reconnection times and its first receipt of each post."""

    reconnected: list[float] = field(default_factory=list)
    received: dict[int, float] = field(default_factory=dict)


def socket_logs(outputs: list[dict[str, Any]]) -> list[SocketLog]:
    """Every socket of every client output (fanout_client --reconnect), in order."""
    logs = []
    for output in outputs:
        for reconnected, received in zip(output["reconnected"], output["socket_received"], strict=True):
            logs.append(SocketLog(list(reconnected), {int(k): v for k, v in received.items()}))
    return logs


def restart_figures(logs: list[SocketLog], posts: list[int], restart_at: float) -> dict[str, Any]:
    """Reconnection and catch-up after a restart that began at `restart_at` (a Unix time).

    A socket is back at its first reconnection after `restart_at`; it has caught up when it holds
    every post of `posts` (receipt times before the restart count: those posts were already there).
    The "all" times are None unless every socket got there.
    """
    if not logs:
        raise RuntimeError("no socket was connected: nothing was measured")
    if not posts:
        raise RuntimeError("no post was published: nothing was measured")
    if not any(post in log.received for log in logs for post in posts):
        raise RuntimeError("no post reached any socket: nothing was measured")
    back: list[float] = []
    caught_up: list[float] = []
    lost_per_socket: list[int] = []
    for log in logs:
        returns = [t for t in log.reconnected if t >= restart_at]
        if returns:
            back.append(min(returns) - restart_at)
        missing = [post for post in posts if post not in log.received]
        lost_per_socket.append(len(missing))
        if not missing:
            caught_up.append(max(0.0, max(log.received[post] for post in posts) - restart_at))
    every_back = len(back) == len(logs)
    every_caught_up = len(caught_up) == len(logs)
    return {
        "restart_all_reconnected_s": round(max(back), 2) if every_back else None,
        "restart_all_caught_up_s": round(max(caught_up), 2) if every_caught_up else None,
        "restart_first_reconnected_s": round(min(back), 2) if back else None,
        "restart_median_reconnected_s": round(sorted(back)[len(back) // 2], 2) if back else None,
        "never_reconnected": len(logs) - len(back),
        "not_caught_up": len(logs) - len(caught_up),
        "lost_after_restart": sum(lost_per_socket),
        "lost_per_socket_max": max(lost_per_socket),
    }


def merged_counts(counts: Any) -> dict[str, int]:
    total: dict[str, int] = {}
    for count in counts:
        for key, n in count.items():
            total[key] = total.get(key, 0) + n
    return total


def targets_met(result: dict[str, Any], targets: dict[str, float] = TARGETS) -> dict[str, bool]:
    caught_up = result["restart_all_caught_up_s"]
    return {
        "sockets": result["connected"] >= targets["sockets"],
        "kib_per_socket": result["server_rss_idle_kib_per_socket"] <= targets["kib_per_socket"],
        "idle_cpu_pct_of_core": result["server_idle_cpu_pct_of_core"] <= targets["idle_cpu_pct_of_core"],
        "restart_caught_up_s": caught_up is not None and caught_up <= targets["restart_caught_up_s"],
    }


# -- the run ------------------------------------------------------------------------------------------


class Clients:
    """The client processes (bench.fanout_client --reconnect) and their snapshots."""

    def __init__(self, setup: Setup, sockets: int, per_client: int, workdir: Path, extra: list[str]) -> None:
        tokens_file = workdir / "tokens.txt"
        tokens_file.write_text("\n".join(setup.tokens))
        self.processes: list[tuple[subprocess.Popen[str], Path]] = []
        for index in range(max(1, -(-sockets // per_client))):
            share = min(per_client, sockets - index * per_client)
            out = workdir / f"idle-client-{setup.config}-{sockets}-{index}.json"
            command = [sys.executable, "-m", "bench.fanout_client", "--sockets", str(share), "--out", str(out)]
            command += ["--reconnect", *extra]
            for url in setup.urls:
                command += ["--url", url]
            if setup.tokens:
                command += ["--tokens-file", str(tokens_file)]
            process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
            self.processes.append((process, out))

    def wait_ready(self) -> tuple[int, int]:
        connected = failed = 0
        for process, _out in self.processes:
            assert process.stdout is not None
            line = process.stdout.readline().split()
            if not line or line[0] != "READY":
                raise RuntimeError(f"a client did not get ready: {line}")
            connected += int(line[1])
            failed += int(line[2])
        return connected, failed

    def snapshot(self) -> list[dict[str, Any]]:
        """Ask every client to write its current output (SIGUSR1), and read it."""
        for process, _out in self.processes:
            process.send_signal(signal.SIGUSR1)
        outputs = []
        for process, out in self.processes:
            assert process.stdout is not None
            line = process.stdout.readline().strip()
            if line != "DUMPED":
                raise RuntimeError(f"a client did not answer the snapshot request: {line!r}")
            outputs.append(json.loads(out.read_text()))
        return outputs

    def stop(self) -> list[dict[str, Any]]:
        for process, _out in self.processes:
            if process.poll() is None:
                process.terminate()
        outputs = []
        for process, out in self.processes:
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if out.exists():
                outputs.append(json.loads(out.read_text()))
        return outputs


def wait_for(clients: Clients, done: Any, deadline: float, poll: float) -> list[SocketLog]:
    """Snapshot the clients every `poll` seconds until done(logs) or the deadline (a Unix time)."""
    while True:
        logs = socket_logs(clients.snapshot())
        if done(logs) or time.time() >= deadline:
            return logs
        time.sleep(poll)


def run_idle(
    setup: Setup,
    sockets: int,
    *,
    idle_seconds: float,
    per_client: int = SOCKETS_PER_CLIENT,
    workdir: Path,
    posts_after: int = 5,
    deadline_s: float = 120,
    reconnect_spread: float = 5,
    ping_interval: float | None = None,
    poll: float = 1.0,
) -> dict[str, Any]:
    """Idle memory and CPU of `sockets` open WebSockets, then reconnection and catch-up after a restart.

    `setup` is started (bench.fanout.Setup.start) and is left running (restarted once) on return.
    """
    extra = ["--reconnect-spread", str(reconnect_spread)]
    if ping_interval:
        extra += ["--ping-interval", str(ping_interval)]
    baseline = rss_kib([p.pid for p in setup.processes])
    clients = Clients(setup, sockets, per_client, workdir, extra)
    try:
        connected, failed = clients.wait_ready()
        if connected == 0:
            raise RuntimeError(f"no socket connected ({failed} failed): nothing was measured")
        time.sleep(2)
        pids = [p.pid for p in setup.processes]
        per_socket_kib = round((rss_kib(pids) - baseline) / connected, 1)

        ticks_before, started = read_cpu_ticks(pids), time.monotonic()
        time.sleep(idle_seconds)
        ticks_after, elapsed = read_cpu_ticks(pids), time.monotonic() - started
        idle_cpu = round(cpu_percent(ticks_before, ticks_after, elapsed), 2)

        first_post, _created = setup.publish(1)
        logs = wait_for(
            clients,
            lambda logs: all(first_post in log.received for log in logs),
            time.time() + min(30.0, deadline_s),
            poll,
        )
        before_restart = sum(first_post in log.received for log in logs)
        if before_restart == 0:
            raise RuntimeError("the post published before the restart reached no socket: nothing was measured")

        restart_at = time.time()
        restart = setup.restart()
        posts = [first_post]
        publish_errors = 0
        for n in range(posts_after):
            try:
                posts.append(setup.publish(n + 2)[0])
            except Exception:  # noqa: BLE001 - counted; the figures then cover the posts that exist
                publish_errors += 1
        logs = wait_for(
            clients,
            lambda logs: all(all(post in log.received for post in posts) for log in logs),
            restart_at + deadline_s,
            poll,
        )
        figures = restart_figures(logs, posts, restart_at)
    finally:
        outputs = clients.stop()
    result: dict[str, Any] = {
        "config": setup.config,
        "sockets": sockets,
        "connected": connected,
        "failed": failed,
        "server_processes": len(setup.processes),
        "server_rss_idle_kib_per_socket": per_socket_kib,
        "server_idle_cpu_pct_of_core": idle_cpu,
        "idle_seconds": round(elapsed, 1),
        "ping_interval_s": ping_interval,
        "received_before_restart": before_restart,
        "restart_stop_s": round(restart["stop_s"], 2),
        "restart_up_s": round(restart["up_s"], 2),
        "restart_killed": restart["killed"],
        "posts_after_restart": len(posts) - 1,
        "publish_errors": publish_errors,
        "deadline_s": deadline_s,
        "reconnect_spread_s": reconnect_spread,
        **figures,
        "reconnect_failures": sum(o.get("reconnect_failures", 0) for o in outputs),
        "reconnect_errors": merged_counts(o.get("reconnect_errors", {}) for o in outputs),
        "resyncs": sum(o.get("resyncs", 0) for o in outputs),
        "duplicates": sum(o.get("duplicates", 0) for o in outputs),
        "pings_sent": sum(o.get("pings", 0) for o in outputs),
        "targets": dict(TARGETS),
    }
    result["met"] = targets_met(result)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sockets", type=int, nargs="+", default=[TARGETS["sockets"]])
    parser.add_argument("--idle-seconds", type=float, default=120)
    parser.add_argument("--per-client", type=int, default=SOCKETS_PER_CLIENT, help="sockets per client process")
    parser.add_argument("--posts-after", type=int, default=5, help="posts published right after the restart")
    parser.add_argument("--deadline", type=float, default=120, help="seconds after the restart to wait for catch-up")
    parser.add_argument("--reconnect-spread", type=float, default=5, help="clients' reconnection jitter (s)")
    parser.add_argument("--ping-interval", type=float, default=None, help="clients ping every N s (default: never)")
    parser.add_argument("--configs", nargs="+", default=["embedded", "postgres"])
    parser.add_argument("--keep", action="store_true", help="keep the server logs and client outputs")
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/x")
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"))
    parser.add_argument("--out", type=Path, default=RESULTS / "idle.json")
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {
        "benchmark": "idle sockets",
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "method": (
            f"one space, 50 members' tokens round-robin; clients in separate processes (≤{args.per_client} "
            f"sockets each, reconnecting after a random delay ≤{args.reconnect_spread} s to ?after=<last seq>); "
            f"server RSS per idle socket; server CPU over {args.idle_seconds} s idle (utime+stime, % of one core, "
            f"summed over processes); then one post, a restart, {args.posts_after} posts, and the time from the "
            "restart's start until every socket reconnected and held every post"
        ),
        "runs": [],
    }
    tmp = tempfile.mkdtemp(prefix="alveole-idle-")
    try:
        for config in args.configs:
            for sockets in args.sockets:
                setup = Setup(config, args, Path(tmp))
                setup.start()
                try:
                    result = run_idle(
                        setup,
                        sockets,
                        idle_seconds=args.idle_seconds,
                        per_client=args.per_client,
                        workdir=Path(tmp),
                        posts_after=args.posts_after,
                        deadline_s=args.deadline,
                        reconnect_spread=args.reconnect_spread,
                        ping_interval=args.ping_interval,
                    )
                finally:
                    setup.stop()
                report["runs"].append(result)
                print(json.dumps(result), flush=True)
    finally:
        if args.keep:
            print(f"logs kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
