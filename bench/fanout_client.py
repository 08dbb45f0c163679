"""The receiving side of the fan-out benchmark: one process holding many WebSockets.

    python -m bench.fanout_client --url ws://127.0.0.1:8001/ws --tokens-file F --sockets 1000 --out result.json

It connects every socket (round-robin over the URLs and tokens), prints READY
on stdout, records when each post.created event arrives on each socket, and on
SIGTERM (or after --max-seconds) writes {post_id: [receive times]} plus the
connection count to --out. It parses as little as possible per message (a find,
not a JSON decode), so that the client measures the server, not itself.

Options for the idle-sockets benchmark (bench.idle); without them nothing changes:

- `--reconnect`: when the server closes a socket or the connection drops, the
  socket comes back like a browser tab would: after a random delay spread over
  `--reconnect-spread` seconds, then with exponential backoff on failure (from
  `--reconnect-backoff`, capped at `--reconnect-cap`), to `?after=<the last
  event number applied on that socket>` (from hello, then from each event; a
  resync restarts from that connection's hello). Each socket's reconnection
  times and first receipt of each post go to the output as extra keys
  ("reconnected", "socket_received", "last_seq", …), and SIGUSR1 writes a
  snapshot of the output (then prints DUMPED) without stopping.
- `--ping-interval N`: each socket sends {"type": "ping"} every N seconds
  (first one at a random point of the interval), as the browser does to keep
  presence alive.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import signal
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import websockets

MARKER = '"post_id":'
SEQ_MARKER = '"seq":'
EVENT_PREFIX = '{"kind":"event"'
PING = json.dumps({"type": "ping"})


def raise_file_limit() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def int_after(text: str, marker: str) -> int | None:
    """The integer right after `marker` in `text` (a find, not a JSON decode), or None."""
    at = text.find(marker)
    if at < 0:
        return None
    end = at + len(marker)
    while end < len(text) and text[end] == " ":
        end += 1
    stop_at = end
    while stop_at < len(text) and text[stop_at].isdigit():
        stop_at += 1
    return int(text[end:stop_at]) if stop_at > end else None


def post_id_of(text: str) -> int | None:
    if '"post.created"' not in text:
        return None
    return int_after(text, MARKER)


def with_after(url: str, after: int | None) -> str:
    if after is None:
        return url
    return f"{url}{'&' if '?' in url else '?'}after={after}"


def backoff_delay(attempt: int, base: float, cap: float) -> float:
    """Seconds to wait before retry number `attempt` (1, 2, …): exponential, capped, jittered by up to half."""
    return min(cap, base * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0)


class Options:
    def __init__(self, args: argparse.Namespace) -> None:
        self.reconnect: bool = args.reconnect
        self.spread: float = args.reconnect_spread
        self.backoff: float = args.reconnect_backoff
        self.cap: float = args.reconnect_cap
        self.ping_interval: float | None = args.ping_interval


class SocketState:
    """What one reconnecting socket knows: its cursor, its reconnections, its receipts."""

    __slots__ = ("duplicates", "last_seq", "open", "received", "reconnected", "resyncs")

    def __init__(self) -> None:
        self.last_seq: int | None = None
        self.reconnected: list[float] = []
        self.received: dict[int, float] = {}
        self.duplicates = 0
        self.resyncs = 0
        self.open = False


async def run(urls: list[str], tokens: list[str], sockets: int, out: Path, max_seconds: float, opts: Options) -> None:
    received: dict[int, list[float]] = defaultdict(list)
    connected = 0
    failed = 0
    pings = 0
    errors: dict[str, int] = defaultdict(int)  # reconnect mode: failed reconnection attempts by error
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    gate = asyncio.Semaphore(100)
    open_sockets: list[websockets.ClientConnection] = []
    states: list[SocketState] = []  # reconnect mode: one per socket that connected at first
    tasks: list[asyncio.Task[None]] = []

    def output() -> dict[str, Any]:
        result: dict[str, Any] = {"connected": connected, "failed": failed, "received": received}
        if opts.reconnect:
            result.update(
                reconnect_spread_s=opts.spread,
                open=sum(s.open for s in states),
                reconnected=[s.reconnected for s in states],
                socket_received=[s.received for s in states],
                last_seq=[s.last_seq for s in states],
                duplicates=sum(s.duplicates for s in states),
                resyncs=sum(s.resyncs for s in states),
                reconnect_failures=sum(errors.values()),
                reconnect_errors=errors,
            )
        if opts.ping_interval:
            result.update(ping_interval_s=opts.ping_interval, pings=pings)
        return result

    def dump() -> None:
        partial = out.with_name(out.name + ".part")
        partial.write_text(json.dumps(output()))
        os.replace(partial, out)

    def snapshot() -> None:
        dump()
        print("DUMPED", flush=True)

    async def listen(ws: websockets.ClientConnection) -> None:
        try:
            async for raw in ws:
                now = time.time()
                text = raw if isinstance(raw, str) else raw.decode()
                at = text.find(MARKER)
                if at < 0 or '"post.created"' not in text:
                    continue
                end = at + len(MARKER)
                while end < len(text) and text[end] == " ":
                    end += 1
                stop_at = end
                while stop_at < len(text) and text[stop_at].isdigit():
                    stop_at += 1
                received[int(text[end:stop_at])].append(now)
        except websockets.ConnectionClosed:
            pass

    async def listen_tracked(ws: websockets.ClientConnection, state: SocketState, hello_seq: int) -> None:
        """Like listen, and keeps the socket's cursor and its own receipts."""
        try:
            async for raw in ws:
                now = time.time()
                text = raw if isinstance(raw, str) else raw.decode()
                if text.startswith(EVENT_PREFIX):
                    seq = int_after(text, SEQ_MARKER)
                    if seq is not None:
                        state.last_seq = seq
                    post_id = post_id_of(text)
                    if post_id is not None:
                        received[post_id].append(now)
                        if post_id in state.received:
                            state.duplicates += 1
                        else:
                            state.received[post_id] = now
                elif '"resync"' in text:
                    # A real client refetches, then carries on from this connection's hello.
                    state.resyncs += 1
                    state.last_seq = hello_seq
        except websockets.ConnectionClosed:
            pass

    async def pinger(ws: websockets.ClientConnection) -> None:
        nonlocal pings
        assert opts.ping_interval
        await asyncio.sleep(random.uniform(0, opts.ping_interval))
        try:
            while True:
                await ws.send(PING)
                pings += 1
                await asyncio.sleep(opts.ping_interval)
        except websockets.ConnectionClosed:
            pass

    async def open_socket(i: int, after: int | None) -> tuple[websockets.ClientConnection, str]:
        headers = {"Authorization": f"Bearer {tokens[i % len(tokens)]}"} if tokens else {}
        ws = await websockets.connect(
            with_after(urls[i % len(urls)], after), additional_headers=headers, compression=None,
            ping_interval=None, open_timeout=60, max_queue=None,
        )  # fmt: skip
        try:
            hello = await ws.recv()
        except BaseException:
            ws.transport.abort()
            raise
        return ws, hello if isinstance(hello, str) else hello.decode()

    async def connect(i: int) -> None:
        nonlocal connected, failed
        async with gate:
            try:
                ws, hello = await open_socket(i, None)
            except (OSError, websockets.WebSocketException, TimeoutError):
                failed += 1
                return
        open_sockets.append(ws)
        connected += 1
        if not opts.reconnect:
            if opts.ping_interval:
                tasks.append(asyncio.create_task(pinger(ws)))
            tasks.append(asyncio.create_task(listen(ws)))
            return
        state = SocketState()
        states.append(state)
        tasks.append(asyncio.create_task(keep(i, ws, hello, state)))

    async def keep(i: int, ws: websockets.ClientConnection, hello: str, state: SocketState) -> None:
        """Reconnect mode: listen, and after every close come back where this socket left off."""
        hello_seq = int_after(hello, SEQ_MARKER) or 0
        state.last_seq = hello_seq  # a fresh page: live events from here
        while True:
            state.open = True
            pinging = asyncio.create_task(pinger(ws)) if opts.ping_interval else None
            await listen_tracked(ws, state, hello_seq)
            state.open = False
            if pinging is not None:
                pinging.cancel()
            ws.transport.abort()
            if stop.is_set():
                return
            await asyncio.sleep(random.uniform(0, opts.spread))
            attempt = 0
            while True:
                try:
                    ws, hello = await open_socket(i, state.last_seq)
                    break
                except (OSError, websockets.WebSocketException, TimeoutError) as error:
                    errors[type(error).__name__] += 1
                    attempt += 1
                    await asyncio.sleep(backoff_delay(attempt, opts.backoff, opts.cap))
            state.reconnected.append(time.time())
            hello_seq = int_after(hello, SEQ_MARKER) or 0
            if state.last_seq is None:
                state.last_seq = hello_seq
            open_sockets.append(ws)

    await asyncio.gather(*(connect(i) for i in range(sockets)))
    if opts.reconnect:
        loop.add_signal_handler(signal.SIGUSR1, snapshot)
    print(f"READY {connected} {failed}", flush=True)
    try:
        await asyncio.wait_for(stop.wait(), timeout=max_seconds)
    except TimeoutError:
        pass
    stop.set()
    for task in tasks:
        task.cancel()
    if opts.reconnect:
        dump()
    else:
        out.write_text(json.dumps(output()))
    for ws in open_sockets:
        ws.transport.abort()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", action="append", required=True)
    parser.add_argument("--tokens-file")
    parser.add_argument("--sockets", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--max-seconds", type=float, default=600)
    parser.add_argument("--reconnect", action="store_true", help="come back after the server closes a socket")
    parser.add_argument("--reconnect-spread", type=float, default=5, help="seconds the first retries spread over")
    parser.add_argument("--reconnect-backoff", type=float, default=1, help="first backoff after a failed retry (s)")
    parser.add_argument("--reconnect-cap", type=float, default=30, help="longest backoff (s)")
    parser.add_argument("--ping-interval", type=float, default=None, help="send a ping every N s (default: never)")
    args = parser.parse_args()
    raise_file_limit()
    tokens = Path(args.tokens_file).read_text().split() if args.tokens_file else []
    asyncio.run(run(args.url, tokens, args.sockets, Path(args.out), args.max_seconds, Options(args)))
    sys.exit(0)


if __name__ == "__main__":
    main()
