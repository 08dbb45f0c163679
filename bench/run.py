"""The benchmark suite: every scenario, its same-run references, one report.

    python -m bench.run --suite quick     # make bench: about 10 minutes
    python -m bench.run --suite full      # make bench-full: 1M posts, 5k/10k sockets, longer steps

It measures the machine's own limits first (pgbench select-only and an insert
shaped like creating a post, raw Redis PUBLISH), then, for each configuration,
starts the servers itself on a generated dataset and runs the scenarios with
open-loop load from separate processes (bench.loadgen, bench.fanout_client).
Results: bench/results/<suite>.json, .md (tables) and .png (plots); bench/RESULTS.md
explains the method and records the figures. Needs PostgreSQL and Redis on
127.0.0.1 (as in CI); BENCH_DATABASE_URL / BENCH_REDIS_URL override them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request
from argparse import Namespace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import prepare, references, scenarios
from .bare_django import REFERENCES
from .scenarios import Plan
from .servers import ROOT, Meter, Servers, descendants, free_port

RESULTS = ROOT / "bench" / "results"

SUITES: dict[str, dict[str, Any]] = {
    "quick": {
        "posts": 10_000,
        "http_configs": ["embedded", "postgres", "bare-django"],
        "plan": Plan(
            target_seconds=8,
            step_seconds=5,
            create_rates=(25, 100, 200, 300, 400),
            feed_rates=(50, 100, 200, 300, 400, 500, 650),
            mixed_users=(250, 500, 1000, 1500, 2000),
            mixed_seconds=8,
        ),
        "fanout": {"sockets": [1000], "seconds": 10, "configs": ["embedded", "postgres", "bare"]},
        "idle": {"sockets": 2000, "idle_seconds": 10, "configs": ["embedded", "postgres"]},
        "reference_seconds": 5,
    },
    "full": {
        "posts": 1_000_000,
        "http_configs": ["embedded", "bare-django-sqlite", "postgres", "postgres-workers", "bare-django"],
        "plan": Plan(
            target_seconds=20,
            step_seconds=10,
            create_rates=(25, 100, 150, 200, 250, 300, 400, 500),
            feed_rates=(50, 100, 200, 300, 400, 500, 650, 800),
            mixed_users=(250, 500, 750, 1000, 1500, 2000, 3000),
            mixed_seconds=15,
        ),
        "fanout": {"sockets": [1000, 5000], "seconds": 20, "configs": ["embedded", "postgres", "bare"]},
        "idle": {"sockets": 10_000, "idle_seconds": 65, "configs": ["embedded", "postgres"]},
        "reference_seconds": 10,
    },
}


def git_commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def machine() -> dict[str, Any]:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown",
    )
    mem_kib = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gib": round(mem_kib / 1024**2, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def versions(database_url: str, redis_url: str) -> dict[str, str]:
    from importlib.metadata import version

    import psycopg
    import redis

    with psycopg.connect(prepare.postgres_database(database_url, "postgres")) as conn:
        pg = str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
    info = redis.Redis.from_url(redis_url).info("server")
    return {
        "alveole": git_commit(),
        "django": version("django"),
        "uvicorn": version("uvicorn"),
        "psycopg": version("psycopg"),
        "websockets": version("websockets"),
        "postgresql": pg,
        "redis": str(info["redis_version"]),
        "sqlite": __import__("sqlite3").sqlite_version,
    }


def base_env(workdir: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("ALVEOLE_", "DATABASE_URL", "REDIS_URL", "DJANGO_"))
    }
    env.update(
        SECRET_KEY="bench-" + "k" * 50, ALVEOLE_LOG_LEVEL="warning", PYTHONPATH=str(ROOT), ALVEOLE_VAR_DIR=str(workdir)
    )
    return env


def dataset_env(kind: str, posts: int, args: Namespace) -> dict[str, str]:
    """The environment of one dataset: an embedded SQLite file, or a PostgreSQL database (with Redis)."""
    if kind == "sqlite":
        var = ROOT / "var" / "bench" / f"embedded-{posts}"
        var.mkdir(parents=True, exist_ok=True)
        return base_env(var)
    env = base_env(ROOT / "var" / "bench" / f"postgres-{posts}")
    env["DATABASE_URL"] = prepare.postgres_database(args.database_url, f"alveole_bench_{posts}")
    env["REDIS_URL"] = args.redis_url
    return env


def add_cursors(port: int, data: dict[str, Any], readers: int = 40) -> None:
    """Second-page URLs for the mixed users' scrolling, taken from real first pages."""
    for reader in data["readers"][:readers]:
        reader["cursors"] = []
        for space in reader["spaces"][:2]:
            path = f"/api/v1/spaces/{space}/posts?limit=30"
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {reader['token']}"}
            )
            with urllib.request.urlopen(request, timeout=30) as response:
                cursor = json.loads(response.read()).get("next_cursor")
            if cursor:
                reader["cursors"].append(f"{path}&cursor={cursor}")


def attempt(scenario: str, config: str, function: Any, *args: Any) -> dict[str, Any]:
    """Run one scenario; a failure is recorded in the report (and fails the run at the end), not hidden."""
    try:
        return dict(function(*args))
    except Exception as exc:  # noqa: BLE001 - reported, and the run exits with an error
        traceback.print_exc()
        return {"scenario": scenario, "config": config, "scenario_error": f"{type(exc).__name__}: {exc}"[:500]}


def run_http(config: str, suite: dict[str, Any], args: Namespace, logdir: Path) -> list[dict[str, Any]]:
    kind = "sqlite" if config in ("embedded", "bare-django-sqlite") else "postgres"
    env = dataset_env(kind, suite["posts"], args)
    if config == "bare-django-sqlite":
        env["DATABASE_URL"] = f"sqlite:///{env['ALVEOLE_VAR_DIR']}/alveole.sqlite3"  # the embedded default's file
    print(f"[{config}] dataset of {suite['posts']} posts ({kind})", flush=True)
    data = prepare.prepare(env, suite["posts"])
    servers = Servers(config, free_port(), env, logdir).start()
    results = []
    try:
        wanted = args.scenarios
        if "create_post" in wanted:
            print(f"[{config}] create a post", flush=True)
            results.append(attempt("create_post", config, scenarios.create_post, servers, data, suite["plan"]))
        if "feed_read" in wanted:
            print(f"[{config}] read a feed page", flush=True)
            results.append(attempt("feed_read", config, scenarios.feed_read, servers, data, suite["plan"]))
        if "search" in wanted and not config.startswith("bare"):
            print(f"[{config}] search", flush=True)
            results.append(attempt("search", config, scenarios.search, servers, data, suite["plan"]))
        if "mixed_users" in wanted and not config.startswith("bare") and config != "postgres-workers":
            print(f"[{config}] mixed users", flush=True)
            add_cursors(servers.port, data)
            results.append(attempt("mixed_users", config, scenarios.mixed_users, servers, data, suite["plan"], logdir))
    finally:
        servers.stop()
        if not config.startswith("bare"):
            prepare.cleanup(env)
        else:
            from .bare_django import cleanup

            cleanup(env.get("DATABASE_URL") or f"sqlite:///{env['ALVEOLE_VAR_DIR']}/alveole.sqlite3")
    return results


def run_fanout(suite: dict[str, Any], args: Namespace, workdir: Path) -> list[dict[str, Any]]:
    from . import fanout

    spec = suite["fanout"]
    options = Namespace(
        rate=10,
        seconds=spec["seconds"],
        grace=3,
        per_client=2500,
        database_url=args.database_url,
        redis_url=args.redis_url,
    )

    def one(config: str, sockets: int) -> dict[str, Any]:
        own = workdir / f"fanout-{config}-{sockets}"  # a fresh database and logs for each run
        own.mkdir()
        setup = fanout.Setup(config, options, own)
        setup.start()
        try:
            meter = Meter([pid for p in setup.processes for pid in descendants(p.pid)]).start()
            result = fanout.run_one(setup, sockets, options)
            result.update(meter.stop())
            return {"scenario": "fanout", "rate": options.rate, "seconds": options.seconds, **result}
        finally:
            setup.stop()

    results = []
    for config in spec["configs"]:
        for sockets in spec["sockets"]:
            print(f"[fan-out] {config}, {sockets} sockets", flush=True)
            results.append(attempt("fanout", f"{config} ({sockets:,} sockets)", one, config, sockets))
    return results


def run_idle(suite: dict[str, Any], args: Namespace, workdir: Path) -> list[dict[str, Any]]:
    from . import fanout, idle

    spec = suite["idle"]
    options = Namespace(
        rate=10, seconds=1, grace=3, per_client=2500, database_url=args.database_url, redis_url=args.redis_url
    )

    def one(config: str) -> dict[str, Any]:
        own = workdir / f"idle-{config}"
        own.mkdir()
        setup = fanout.Setup(config, options, own)
        setup.start()
        try:
            # Sockets ping every 25 s, as the browser does; the full suite's idle window spans
            # one access re-check sweep (every 60 s), the quick one's does not.
            result = idle.run_idle(
                setup,
                spec["sockets"],
                idle_seconds=spec["idle_seconds"],
                per_client=2500,
                workdir=own,
                ping_interval=25,
            )
            return {"scenario": "idle_sockets", **result}
        finally:
            setup.stop()

    results = []
    for config in spec["configs"]:
        print(f"[idle] {config}, {spec['sockets']} sockets", flush=True)
        results.append(attempt("idle_sockets", config, one, config))
    return results


def limits(suite: dict[str, Any], args: Namespace) -> dict[str, Any]:
    seconds = suite["reference_seconds"]
    print("[limits] pgbench select-only, pgbench insert-post, Redis PUBLISH", flush=True)
    env = dataset_env("postgres", suite["posts"], args)
    prepare.prepare(env, suite["posts"], users=1)
    return {
        "pgbench_select_only": references.pgbench_select_only(args.database_url, seconds),
        "pgbench_insert_post": references.pgbench_insert_post(env["DATABASE_URL"], seconds),
        "redis_publish": references.redis_publish(args.redis_url),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suite", choices=sorted(SUITES), default="quick")
    parser.add_argument(
        "--scenarios",
        nargs="+",
        default=["create_post", "feed_read", "search", "mixed_users", "fanout", "idle_sockets"],
    )
    parser.add_argument("--configs", nargs="+", help="HTTP configurations to run (default: the suite's)")
    parser.add_argument("--out", help="results name in bench/results (default: the suite's name)")
    parser.add_argument(
        "--allow-dirty", action="store_true", help="write results although the tree has uncommitted changes"
    )
    parser.add_argument(
        "--skip-limits", action="store_true", help="do not measure pgbench and Redis (e.g. an embedded-only run)"
    )
    parser.add_argument("--posts", type=int, help="dataset size (default: the suite's), e.g. search at 100 k embedded")
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"))
    args = parser.parse_args(argv)
    status = ["git", "status", "--porcelain", "--", ".", ":(exclude)bench/results"]  # results are what a run writes
    dirty = subprocess.run(status, cwd=ROOT, capture_output=True, text=True).stdout.strip()
    if dirty and not args.allow_dirty:
        # Figures must name the code they measured: the commit recorded in the results.
        raise SystemExit("the tree has uncommitted changes: commit them, or pass --allow-dirty\n" + dirty)
    suite = dict(SUITES[args.suite])
    if args.posts:
        suite["posts"] = args.posts
    started = time.monotonic()
    report: dict[str, Any] = {
        "suite": args.suite,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": versions(args.database_url, args.redis_url),
        "dataset": {
            "posts": suite["posts"],
            "users": 500,
            "spaces": 50,
            "load_space_members": 50,
            "generator": "bench.dataset (about 0.5 comment and 1 reaction per post, two years)",
        },
        "method": {
            "http": "bench.loadgen in its own process: open loop (requests leave on schedule, latency from the "
            "scheduled time to the last byte), up to 64 keep-alive connections; a 3 s warm-up, the target-rate "
            "step, then rising rates until the server completes < 90 % of the offered rate, errors > 1 % or "
            "p99 > 2 s; saturation = highest completed rate with ≤ 1 % errors",
            "costs": "server CPU from /proc (utime+stime of every server process, % of one core) and peak RSS, "
            "sampled while each step runs",
            "machine": "servers, PostgreSQL, Redis and the load generators share the same cores",
            "bare_references": REFERENCES,
            "plan": vars(suite["plan"]),
        },
        "limits": {},
        "scenarios": [],
    }
    workdir = Path(tempfile.mkdtemp(prefix="alveole-bench-"))
    try:
        if {"create_post", "feed_read", "search"} & set(args.scenarios) and not args.skip_limits:
            report["limits"] = limits(suite, args)
        for config in args.configs or suite["http_configs"]:
            if {"create_post", "feed_read", "search", "mixed_users"} & set(args.scenarios):
                report["scenarios"].extend(run_http(config, suite, args, workdir))
        if "fanout" in args.scenarios:
            report["scenarios"].extend(run_fanout(suite, args, workdir))
        if "idle_sockets" in args.scenarios:
            report["scenarios"].extend(run_idle(suite, args, workdir))
    finally:
        report["duration_s"] = round(time.monotonic() - started)
        RESULTS.mkdir(parents=True, exist_ok=True)
        name = args.out or args.suite
        (RESULTS / f"{name}.json").write_text(json.dumps(report, indent=2) + "\n")
        shutil.rmtree(workdir, ignore_errors=True)
    from .report import write_report

    paths = write_report(report, RESULTS / name)
    print("written " + ", ".join(str(p.relative_to(ROOT)) for p in [RESULTS / f"{name}.json", *paths]))
    failed = [
        f"{s['scenario']} ({s['config']}): {s['scenario_error']}" for s in report["scenarios"] if "scenario_error" in s
    ]
    if failed:
        raise SystemExit("benchmark scenarios failed:\n" + "\n".join(failed))


if __name__ == "__main__":
    sys.exit(main())
