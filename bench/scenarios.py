"""The HTTP load scenarios: create a post, read a feed page, mixed users.

Each step runs bench.loadgen in its own process for a fixed offered rate while a
Meter samples the servers' CPU and memory. A saturation search raises the
offered rate step by step until the server falls behind (it completes less than
90 % of what is offered), errors pass 1 %, or p99 passes 2 s; the saturation
figure is the highest throughput completed without errors above 1 %.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .loadgen import NothingMeasured
from .servers import ROOT, Meter, Servers, cpu_seconds, wait_http

FALLING_BEHIND = 0.9
MAX_ERROR_RATE = 0.01
MAX_P99_MS = 2000.0


@dataclass
class Plan:
    """How long each kind of step lasts (the quick and full suites differ only here)."""

    target_seconds: float
    step_seconds: float
    create_rates: tuple[int, ...]
    feed_rates: tuple[int, ...]
    mixed_users: tuple[int, ...]
    mixed_seconds: float
    search_rates: tuple[int, ...] = (10, 20, 50, 100, 150, 200)


def run_step(servers: Servers, spec: dict[str, Any]) -> dict[str, Any]:
    """One open-loop step at spec['rate'] req/s; raises NothingMeasured when nothing succeeded."""
    with tempfile.TemporaryDirectory(prefix="alveole-loadgen-") as tmp:
        spec_file, out = Path(tmp) / "spec.json", Path(tmp) / "out.json"
        spec_file.write_text(json.dumps({"host": "127.0.0.1", "port": servers.port, **spec}))
        meter = Meter(servers.pids()).start()
        done = subprocess.run(
            [sys.executable, "-m", "bench.loadgen", "--spec", str(spec_file), "--out", str(out)],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        costs = meter.stop()
        if done.returncode != 0:
            raise NothingMeasured(f"load step at {spec['rate']}/s: {done.stderr.strip()[-500:]}")
        result = dict(json.loads(out.read_text()))
    result.update(costs)
    return result


def falls_behind(step: dict[str, Any]) -> bool:
    return bool(
        step["throughput_rps"] < FALLING_BEHIND * step["offered_rps"]
        or step["error_rate"] > MAX_ERROR_RATE
        or step["p99_ms"] > MAX_P99_MS
    )


def saturation(steps: list[dict[str, Any]]) -> float:
    """The highest completed rate with at most 1 % errors (else the highest completed rate at all)."""
    if not steps:
        raise NothingMeasured("no load step ran: no saturation figure")
    good = [s["throughput_rps"] for s in steps if s["error_rate"] <= MAX_ERROR_RATE]
    return max(good or [s["throughput_rps"] for s in steps])


def settle(servers: Servers, timeout: float = 60, idle_below: float = 0.1) -> float:
    """Wait until an overloaded server has worked off its backlog (requests the client gave up on
    still run), so that one step's or one scenario's queue does not land on the next: /healthz answers
    quickly three times in a row, and the server processes use under `idle_below` of a core over half
    a second (a health check skips the database, so only the CPU shows the writes still queued in the
    processes' threads). Returns the seconds waited."""
    began = time.monotonic()
    deadline = began + timeout
    quick = 0
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            wait_http(servers.port, timeout=10, path="/" if servers.config.startswith("bare") else "/healthz")
        except RuntimeError:
            continue
        quick = quick + 1 if time.monotonic() - started < 0.05 else 0
        if quick >= 3 and busy(servers.pids(), 0.5) < idle_below:
            break
        time.sleep(0.3)
    return round(time.monotonic() - began, 1)


def busy(pids: list[int], seconds: float) -> float:
    """The share of one core these processes used over the next `seconds`."""
    before, started = cpu_seconds(pids), time.monotonic()
    time.sleep(seconds)
    return (cpu_seconds(pids) - before) / (time.monotonic() - started)


def load_curve(
    servers: Servers, requests: list[dict[str, Any]], target_rate: int, plan: Plan, rates: tuple[int, ...]
) -> dict[str, Any]:
    """Rising rates (the target's among them) until the server falls behind; the target step always runs."""
    base = {"requests": requests, "connections": 64, "timeout": 10, "arrival": "uniform"}
    drained = settle(servers)  # what the previous scenario left queued
    run_step(servers, {**base, "rate": min((*rates, target_rate)), "seconds": 3})  # pools, caches
    settle(servers)
    steps: list[dict[str, Any]] = []
    at_target: dict[str, Any] | None = None
    for rate in sorted(set(rates) | {target_rate}):
        if steps and falls_behind(steps[-1]) and at_target is not None:
            break
        if steps and falls_behind(steps[-1]) and rate != target_rate:
            continue  # already past saturation: only the target step is still needed
        seconds = plan.target_seconds if rate == target_rate else plan.step_seconds
        step = run_step(servers, {**base, "rate": rate, "seconds": seconds})
        settle(servers)
        print(
            f"    {rate:>5}/s → {step['throughput_rps']:.0f}/s p99 {step['p99_ms']:.0f} ms "
            f"errors {step['error_rate']:.2%} cpu {step['server_cpu_pct_of_core']:.0f}%",
            flush=True,
        )
        if rate == target_rate:
            at_target = step
        steps.append(step)
    assert at_target is not None
    # When no step fell behind, the saturation figure is only a lower bound.
    saturated = any(falls_behind(s) for s in steps)
    return {
        "at_target": at_target,
        "steps": steps,
        "saturation_rps": saturation(steps),
        "saturated": saturated,
        "drained_before_s": drained,
    }


# The create-post scenario's body, for the product and the bare reference alike: a topic, so both
# upsert it, link the post to it and index it (bench.bare_django does what POST /api/v1/posts does).
POST_BODY = "post {n} about #benchmarks"


def post_requests(load_space: dict[str, Any], bare: bool) -> list[dict[str, Any]]:
    if bare:
        variants = [
            {
                "method": "POST",
                "path": "/posts",
                "body": json.dumps({"space_id": load_space["id"], "author_id": uid, "body": POST_BODY}),
            }
            for uid in load_space["member_ids"]
        ]
        return [{"name": "create_post", "expect": [201], "variants": variants}]
    body = json.dumps({"space_id": load_space["id"], "body": f"bench-load {POST_BODY}"})
    variants = [{"method": "POST", "path": "/api/v1/posts", "token": t, "body": body} for t in load_space["tokens"]]
    return [{"name": "create_post", "expect": [201], "variants": variants}]


def feed_requests(readers: list[dict[str, Any]], bare: bool) -> list[dict[str, Any]]:
    variants = []
    for reader in readers:
        for space in reader["spaces"]:
            if bare:
                # The same page for the same reader: the viewer decides what is visible, read and reacted to.
                variants.append({"method": "GET", "path": f"/spaces/{space}/posts?viewer={reader['user_id']}"})
            else:
                variants.append(
                    {"method": "GET", "path": f"/api/v1/spaces/{space}/posts?limit=30", "token": reader["token"]}
                )
    return [{"name": "space_page", "expect": [200], "variants": variants}]


def create_post(servers: Servers, data: dict[str, Any], plan: Plan) -> dict[str, Any]:
    requests = post_requests(data["load_space"], bare=servers.config.startswith("bare"))
    return {
        "scenario": "create_post",
        "config": servers.config,
        **load_curve(servers, requests, 50, plan, plan.create_rates),
    }


def feed_read(servers: Servers, data: dict[str, Any], plan: Plan) -> dict[str, Any]:
    requests = feed_requests(data["readers"], bare=servers.config.startswith("bare"))
    return {
        "scenario": "feed_read",
        "config": servers.config,
        **load_curve(servers, requests, 150, plan, plan.feed_rates),
    }


def search_requests(readers: list[dict[str, Any]], words: list[str]) -> list[dict[str, Any]]:
    """One-word, two-word and filtered searches by each reader (the dataset's posts say "Update N from
    the team #topicK": a topic word matches about one post in fifty, "team" all of them)."""
    one, two, filtered = [], [], []
    for reader in readers:
        for word in words[:10]:
            token = reader["token"]
            one.append({"method": "GET", "path": f"/api/v1/search?q={word}&limit=20", "token": token})
            two.append({"method": "GET", "path": f"/api/v1/search?q=team+{word}&limit=20", "token": token})
            if reader["spaces"]:
                space = reader["spaces"][0]
                path = f"/api/v1/search?q={word}&space_id={space}&limit=20"
                filtered.append({"method": "GET", "path": path, "token": token})
    return [
        {"name": "search_one_word", "expect": [200], "variants": one},
        {"name": "search_two_words", "expect": [200], "variants": two},
        {"name": "search_filtered", "expect": [200], "variants": filtered},
    ]


def search(servers: Servers, data: dict[str, Any], plan: Plan) -> dict[str, Any]:
    """Issue 14's targets: p95 at 20 searches/s on PostgreSQL (1 M posts), at 10/s on the embedded default (100 k)."""
    requests = search_requests(data["readers"], data["search_words"])
    target_rate = 10 if servers.config == "embedded" else 20
    return {
        "scenario": "search",
        "config": servers.config,
        "target_rate": target_rate,
        "search_index_bytes": data.get("search_index_bytes"),
        **load_curve(servers, requests, target_rate, plan, plan.search_rates),
    }


# --- mixed users ------------------------------------------------------------------

# What one simulated person does per minute, besides holding a WebSocket open (with a
# ping every 25 s, as the browser does): mostly reading, some scrolling, a little writing.
PER_USER_PER_MINUTE = {
    "home_feed": 4.0,
    "space_page": 2.0,
    "scroll": 2.0,
    "record_reads": 1.0,
    "react": 1.0,
    "comment": 0.5,
    "post": 0.25,
}
MIXED_AVG_MS = 100.0
MIXED_P99_MS = 2000.0
MIXED_ERRORS = 0.00025


def mixed_requests(data: dict[str, Any], rng: random.Random) -> list[dict[str, Any]]:
    kinds: dict[str, list[dict[str, Any]]] = {name: [] for name in PER_USER_PER_MINUTE}
    for reader in data["readers"]:
        token, spaces, recent = reader["token"], reader["spaces"], reader["recent_posts"]
        if not spaces or not recent:
            continue
        kinds["home_feed"].append({"method": "GET", "path": "/api/v1/feed?limit=30", "token": token})
        for space in spaces:
            kinds["space_page"].append(
                {"method": "GET", "path": f"/api/v1/spaces/{space}/posts?limit=30", "token": token}
            )
            kinds["post"].append(
                {
                    "method": "POST",
                    "path": "/api/v1/posts",
                    "token": token,
                    "body": json.dumps({"space_id": space, "body": "bench-load mixed post {n}"}),
                }
            )
        for cursor in reader.get("cursors", []):
            kinds["scroll"].append({"method": "GET", "path": cursor, "token": token})
        kinds["record_reads"].append(
            {"method": "POST", "path": "/api/v1/reads", "token": token, "body": json.dumps({"post_ids": recent})}
        )
        for post_id in recent[:10]:
            kinds["react"].append(
                {
                    "method": "POST",
                    "path": f"/api/v1/posts/{post_id}/reactions",
                    "token": token,
                    "body": json.dumps({"kind": rng.choice(["like", "idea", "celebrate"])}),
                }
            )
            kinds["comment"].append(
                {
                    "method": "POST",
                    "path": f"/api/v1/posts/{post_id}/comments",
                    "token": token,
                    "body": json.dumps({"body": "bench-load comment {n}"}),
                }
            )
    expect = {"post": [201], "comment": [201]}
    return [
        {"name": name, "weight": PER_USER_PER_MINUTE[name], "expect": expect.get(name, [200]), "variants": variants}
        for name, variants in kinds.items()
        if variants
    ]


def mixed_passes(step: dict[str, Any]) -> bool:
    return bool(
        step["mean_ms"] <= MIXED_AVG_MS and step["p99_ms"] <= MIXED_P99_MS and step["error_rate"] <= MIXED_ERRORS
    )


def open_sockets(servers: Servers, tokens: list[str], count: int, workdir: Path) -> list[subprocess.Popen[str]]:
    """Client processes holding `count` WebSockets (2,500 each), pinging like the browser."""
    tokens_file = workdir / "mixed-tokens.txt"
    tokens_file.write_text("\n".join(tokens))
    clients = []
    for index in range(max(1, -(-count // 2500))):
        share = min(2500, count - index * 2500)
        command = [
            sys.executable,
            "-m",
            "bench.fanout_client",
            "--sockets",
            str(share),
            "--url",
            f"ws://127.0.0.1:{servers.port}/ws",
            "--tokens-file",
            str(tokens_file),
            "--out",
            str(workdir / f"mixed-{index}.json"),
            "--ping-interval",
            "25",
        ]
        clients.append(subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True))
    for process in clients:
        assert process.stdout is not None
        line = process.stdout.readline().split()
        if not line or line[0] != "READY" or int(line[1]) == 0:
            raise RuntimeError(f"mixed users: a socket client did not connect: {line}")
    return clients


def mixed_users(servers: Servers, data: dict[str, Any], plan: Plan, workdir: Path) -> dict[str, Any]:
    """Ramp simulated people until average latency, p99 or errors pass their bounds."""
    requests = mixed_requests(data, random.Random(3))
    per_user_rps = sum(PER_USER_PER_MINUTE.values()) / 60
    tokens = [r["token"] for r in data["readers"]]
    steps, held = [], 0
    for users in plan.mixed_users:
        clients = open_sockets(servers, tokens, users, workdir)
        try:
            step = run_step(
                servers,
                {
                    "requests": requests,
                    "rate": round(users * per_user_rps, 2),
                    "seconds": plan.mixed_seconds,
                    "connections": 128,
                    "timeout": 10,
                    "arrival": "poisson",
                    "seed": users,
                },
            )
        finally:
            for process in clients:
                process.terminate()
            for process in clients:
                process.wait(60)
        step["users"] = users
        steps.append(step)
        ok = mixed_passes(step)
        print(
            f"    {users:>5} users ({step['offered_rps']:.0f} req/s) → mean {step['mean_ms']:.0f} ms "
            f"p99 {step['p99_ms']:.0f} ms errors {step['error_rate']:.3%} {'ok' if ok else 'over'}",
            flush=True,
        )
        if not ok:
            break
        held = users
        time.sleep(1)
    return {
        "scenario": "mixed_users",
        "config": servers.config,
        "steps": steps,
        "users_held": held,
        "per_user_per_minute": PER_USER_PER_MINUTE,
    }
