"""Open-loop HTTP load generator: a separate process sending requests on a schedule.

    python -m bench.loadgen --spec spec.json --out result.json

Requests leave at their scheduled times whatever the server does (open loop), so a
slow server shows up as latency instead of hiding as fewer requests (the trap of a
closed loop, which waits for each answer before sending the next). Latency runs
from the scheduled time to the last byte of the answer: time spent waiting for a
free connection counts, as a real user's would.

The spec (JSON):

    {"host": "127.0.0.1", "port": 8000, "rate": 150, "seconds": 10,
     "connections": 64, "timeout": 10, "arrival": "uniform" | "poisson", "seed": 1,
     "requests": [{"name": "feed", "weight": 3, "expect": [200],
                   "variants": [{"method": "GET", "path": "/api/v1/feed", "token": "…",
                                 "body": null}]}]}

A variant's body may hold `{n}`, replaced by the request's number (unique posts).
The result holds, per request name and overall, the counts, error rate,
throughput and p50/p95/p99 latency; and the generator's own lateness (how late
it started requests behind schedule), which says when the client, not the
server, was the limit.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class NothingMeasured(RuntimeError):
    """A scenario ended without one successful request: its figures would be meaningless."""


def percentile(values: list[float], q: float) -> float:
    if not values:
        raise NothingMeasured("no measurements")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def latency_figures(latencies: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(latencies, 50) * 1000, 2),
        "p95_ms": round(percentile(latencies, 95) * 1000, 2),
        "p99_ms": round(percentile(latencies, 99) * 1000, 2),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 2),
        "max_ms": round(max(latencies) * 1000, 2),
    }


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)

    def figures(self, elapsed: float) -> dict[str, Any]:
        sent = len(self.latencies) + self.errors
        out: dict[str, Any] = {
            "sent": sent,
            "ok": len(self.latencies),
            "errors": self.errors,
            "error_rate": round(self.errors / sent, 5) if sent else 1.0,
            "throughput_rps": round(len(self.latencies) / elapsed, 2) if elapsed > 0 else 0.0,
            "statuses": dict(sorted(self.statuses.items())),
        }
        if self.latencies:
            out.update(latency_figures(self.latencies))
        return out


def summarize(tallies: dict[str, Tally], elapsed: float, offered_rps: float) -> dict[str, Any]:
    """Figures per request name and overall; raises NothingMeasured when nothing succeeded."""
    overall = Tally()
    for tally in tallies.values():
        overall.latencies.extend(tally.latencies)
        overall.errors += tally.errors
        for status, count in tally.statuses.items():
            overall.statuses[status] = overall.statuses.get(status, 0) + count
    if not overall.latencies:
        raise NothingMeasured(
            f"no successful request out of {overall.errors} sent (statuses {overall.statuses}): nothing was measured"
        )
    return {
        "offered_rps": offered_rps,
        "elapsed_s": round(elapsed, 2),
        **overall.figures(elapsed),
        "by_request": {name: tally.figures(elapsed) for name, tally in tallies.items()},
    }


def schedule(rate: float, seconds: float, arrival: str, rng: random.Random) -> list[float]:
    """Send offsets (seconds from the start) for `rate` requests per second during `seconds`."""
    if rate <= 0 or seconds <= 0:
        raise ValueError("rate and seconds must be positive")
    if arrival == "uniform":
        return [i / rate for i in range(int(rate * seconds))]
    offsets, t = [], rng.expovariate(rate)
    while t < seconds:
        offsets.append(t)
        t += rng.expovariate(rate)
    return offsets


def encode(variant: dict[str, Any], n: int, host: str) -> bytes:
    body = variant.get("body")
    payload = b"" if body is None else str(body).replace("{n}", str(n)).encode()
    lines = [f"{variant['method']} {variant['path']} HTTP/1.1", f"Host: {host}", "Connection: keep-alive"]
    if variant.get("token"):
        lines.append(f"Authorization: Bearer {variant['token']}")
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one HTTP/1.1 response; returns (status, keep the connection)."""
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("connection closed by the server")
    status = int(status_line.split(b" ", 2)[1])
    length, chunked, keep = 0, False, True
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value:
            chunked = True
        elif name == "connection" and value == "close":
            keep = False
    if chunked:
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status, keep


class Pool:
    """Up to `size` keep-alive connections; a request waits for a free one (and that wait counts)."""

    def __init__(self, host: str, port: int, size: int) -> None:
        self.host, self.port = host, port
        self.free: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter] | None] = asyncio.Queue()
        for _ in range(size):
            self.free.put_nowait(None)  # a slot without a connection yet

    async def send(self, raw: bytes) -> int:
        conn = await self.free.get()
        try:
            if conn is None:
                conn = await asyncio.open_connection(self.host, self.port)
            reader, writer = conn
            writer.write(raw)
            status, keep = await read_response(reader)
            if not keep:
                writer.close()
                conn = None
            return status
        except BaseException:
            if conn is not None:
                conn[1].close()
            conn = None
            raise
        finally:
            self.free.put_nowait(conn)


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    rng = random.Random(spec.get("seed", 1))
    kinds = spec["requests"]
    for kind in kinds:
        if not kind.get("variants"):
            raise ValueError(f"request {kind['name']!r} has no variants")
    names = [k["name"] for k in kinds]
    weights = [float(k.get("weight", 1)) for k in kinds]
    offsets = schedule(float(spec["rate"]), float(spec["seconds"]), spec.get("arrival", "uniform"), rng)
    picks = rng.choices(range(len(kinds)), weights=weights, k=len(offsets))
    host = f"{spec['host']}:{spec['port']}"
    pool = Pool(spec["host"], int(spec["port"]), int(spec.get("connections", 64)))
    timeout = float(spec.get("timeout", 10))
    tallies = {name: Tally() for name in names}
    lateness: list[float] = []
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.2
    last_done = start

    async def one(n: int, offset: float, kind: dict[str, Any]) -> None:
        nonlocal last_done
        due = start + offset
        lateness.append(loop.time() - due)
        tally = tallies[kind["name"]]
        raw = encode(rng.choice(kind["variants"]), n, host)
        try:
            status = await asyncio.wait_for(pool.send(raw), timeout)
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError, IndexError) as exc:
            key = type(exc).__name__
            tally.errors += 1
            tally.statuses[key] = tally.statuses.get(key, 0) + 1
            return
        done = loop.time()
        last_done = max(last_done, done)
        tally.statuses[str(status)] = tally.statuses.get(str(status), 0) + 1
        if status in kind.get("expect", [200]):
            tally.latencies.append(done - due)
        else:
            tally.errors += 1

    tasks = []
    for n, (offset, pick) in enumerate(zip(offsets, picks, strict=True)):
        delay = start + offset - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(n, offset, kinds[pick])))
    await asyncio.gather(*tasks)
    elapsed = max(float(spec["seconds"]), last_done - start)
    result = summarize(tallies, elapsed, float(spec["rate"]))
    result["generator_lateness_p99_ms"] = round(percentile(lateness, 99) * 1000, 2)
    result["arrival"] = spec.get("arrival", "uniform")
    result["connections"] = int(spec.get("connections", 64))
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spec", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args(argv)
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    spec = json.loads(args.spec.read_text())
    usage_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.monotonic()
    try:
        result = asyncio.run(run(spec))
    except NothingMeasured as exc:
        args.out.write_text(json.dumps({"failed": str(exc)}))
        raise SystemExit(f"loadgen: {exc}") from exc
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - usage_before.ru_utime - usage_before.ru_stime
    result["generator_cpu_pct_of_core"] = round(100 * cpu / (time.monotonic() - started), 1)
    args.out.write_text(json.dumps(result))


if __name__ == "__main__":
    main()
