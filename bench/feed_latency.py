"""Feed page latency on a small and a large database (the feed issue's benchmark).

    python -m bench.feed_latency --sizes 10000 1000000 [--requests 400] [--database-url postgres://...]

For each size it makes (or reuses) a PostgreSQL database `alveole_bench_<size>`
filled by bench.dataset, starts one Alvéole server process on it, and times
single-client requests for feed pages (the home feed, a space's first page,
and a space's second page through the cursor), after a warm-up. Latency is
measured at the client, from sending the request to the last byte.

It answers one question: does a feed page stay as fast on a million posts as on
ten thousand? (Throughput under load is bench.run's business.)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import urlparse, urlunparse

from .loadgen import percentile
from .prepare import run_django
from .servers import ROOT, free_port

RESULTS = ROOT / "bench" / "results"


def summarize(samples: list[float], errors: int) -> dict:
    if not samples:
        raise RuntimeError(f"no successful request ({errors} errors): nothing was measured")
    return {
        "n": len(samples),
        "errors": errors,
        "p50_ms": round(percentile(samples, 50) * 1000, 2),
        "p95_ms": round(percentile(samples, 95) * 1000, 2),
        "p99_ms": round(percentile(samples, 99) * 1000, 2),
        "mean_ms": round(statistics.fmean(samples) * 1000, 2),
    }


def database_url_for(base: str, size: int) -> str:
    parsed = urlparse(base)
    return urlunparse(parsed._replace(path=f"/alveole_bench_{size}"))


def ensure_database(url: str) -> bool:
    """Create the database if needed; True when it already existed."""
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return bool(exists)


def prepare(size: int, env: dict) -> dict:
    """Fill the database once, then hand out fresh tokens and each user's spaces."""
    check = "from alveole.orgs.models import Organisation as O; print(O.objects.filter(name=%r).exists())"
    has_data = run_django(check % f"Bench org ({size} posts)", env).strip()
    if has_data != "True":
        subprocess.run(
            [sys.executable, "-m", "bench.dataset", "--posts", str(size), "--users", "500", "--spaces", "50"],
            env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
    code = f"""
import json
from django.db import connection
connection.cursor().execute('ANALYZE')
from alveole.accounts.actions import create_token
from alveole.accounts.models import User
from alveole.orgs.models import Organisation
from alveole.spaces.models import SpaceMembership
org = Organisation.objects.get(name='Bench org ({size} posts)')
people = list(User.objects.filter(organisation=org, role__in=['owner', 'member']).order_by('pk')[:20])
out = []
for user in people:
    _t, secret = create_token(user, name='feed-latency')
    spaces = list(SpaceMembership.objects.filter(user=user).values_list('space_id', flat=True))
    out.append({{'token': secret, 'spaces': spaces}})
print(json.dumps(out))
"""
    return {"people": json.loads(run_django(code, env).strip().splitlines()[-1])}


def get(url: str, token: str) -> tuple[float, dict | None]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
            elapsed = time.perf_counter() - started
            return elapsed, json.loads(body)
    except (urllib.error.URLError, TimeoutError, ValueError):
        return time.perf_counter() - started, None


def measure(base_url: str, people: list[dict], requests: int, seed: int) -> dict:
    rng = random.Random(seed)
    scenarios: dict[str, list[float]] = {"home": [], "space_first_page": [], "space_second_page": []}
    errors = dict.fromkeys(scenarios, 0)
    for i in range(requests + 60):
        person = rng.choice(people)
        warmup = i < 60
        kind = rng.choice(list(scenarios))
        if kind == "home":
            elapsed, body = get(f"{base_url}/api/v1/feed?limit=30", person["token"])
        else:
            space = rng.choice(person["spaces"])
            url = f"{base_url}/api/v1/spaces/{space}/posts?limit=30"
            if kind == "space_second_page":
                _elapsed, first = get(url, person["token"])
                cursor = (first or {}).get("next_cursor")
                if not cursor:
                    continue
                url += f"&cursor={cursor}"
            elapsed, body = get(url, person["token"])
        if warmup:
            continue
        if body is None or not body.get("items"):
            errors[kind] += 1
        else:
            scenarios[kind].append(elapsed)
    return {name: summarize(samples, errors[name]) for name, samples in scenarios.items()}


def serve(env: dict, port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "alveole.cli", "run", "--no-migrate", "--port", str(port)],
        env={**env, "ALVEOLE_LOG_LEVEL": "warning"}, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return process
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("the server did not start: " + (process.stderr.read().decode() if process.stderr else ""))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/x")
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    report: dict = {
        "benchmark": "feed page latency",
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "method": (
            "one uvicorn process on PostgreSQL (pool), one client sending sequential requests on loopback, "
            f"{args.requests} timed requests after 60 warm-up ones, random users (20) and their spaces; "
            "latency from request to last byte at the client"
        ),
        "runs": [],
    }
    for size in args.sizes:
        url = database_url_for(args.database_url, size)
        ensure_database(url)
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-" + "k" * 50, "REDIS_URL": ""}
        env.pop("ALVEOLE_ENV", None)
        subprocess.run([sys.executable, "-m", "alveole.cli", "migrate", "-v0"], env=env, cwd=ROOT, check=True)
        data = prepare(size, env)
        port = free_port()
        server = serve(env, port)
        try:
            figures = measure(f"http://127.0.0.1:{port}", data["people"], args.requests, args.seed)
        finally:
            server.terminate()
            server.wait(timeout=10)
        run = {"posts": size, "database": "postgresql", "results": figures}
        report["runs"].append(run)
        print(json.dumps(run), flush=True)
    if len(report["runs"]) >= 2:
        small, large = report["runs"][0]["results"], report["runs"][-1]["results"]
        report["ratio_p95_large_to_small"] = {
            name: round(large[name]["p95_ms"] / small[name]["p95_ms"], 2) for name in small
        }
    out = RESULTS / "feed-latency.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
