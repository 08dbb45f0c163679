"""The receiving side of the fan-out benchmark: one process holding many WebSockets.

    python -m bench.fanout_client --url ws://127.0.0.1:8001/ws --tokens-file F --sockets 1000 --out result.json

It connects every socket (round-robin over the URLs and tokens), prints READY
on stdout, records when each post.created event arrives on each socket, and on
SIGTERM (or after --max-seconds) writes {post_id: [receive times]} plus the
connection count to --out. It parses as little as possible per message (a find,
not a JSON decode), so that the client measures the server, not itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import signal
import sys
import time
from collections import defaultdict
from pathlib import Path

import websockets

MARKER = '"post_id":'


def raise_file_limit() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def run(urls: list[str], tokens: list[str], sockets: int, out: Path, max_seconds: float) -> None:
    received: dict[int, list[float]] = defaultdict(list)
    connected = 0
    failed = 0
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    gate = asyncio.Semaphore(100)
    open_sockets: list[websockets.ClientConnection] = []

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

    async def connect(i: int) -> None:
        nonlocal connected, failed
        async with gate:
            headers = {"Authorization": f"Bearer {tokens[i % len(tokens)]}"} if tokens else {}
            try:
                ws = await websockets.connect(
                    urls[i % len(urls)], additional_headers=headers, compression=None, ping_interval=None,
                    open_timeout=60, max_queue=None,
                )  # fmt: skip
                await ws.recv()  # hello
            except (OSError, websockets.WebSocketException, TimeoutError):
                failed += 1
                return
        open_sockets.append(ws)
        connected += 1
        listeners.append(asyncio.create_task(listen(ws)))

    listeners: list[asyncio.Task[None]] = []
    await asyncio.gather(*(connect(i) for i in range(sockets)))
    print(f"READY {connected} {failed}", flush=True)
    try:
        await asyncio.wait_for(stop.wait(), timeout=max_seconds)
    except TimeoutError:
        pass
    out.write_text(json.dumps({"connected": connected, "failed": failed, "received": received}))
    for ws in open_sockets:
        ws.transport.abort()
    for task in listeners:
        task.cancel()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", action="append", required=True)
    parser.add_argument("--tokens-file")
    parser.add_argument("--sockets", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--max-seconds", type=float, default=600)
    args = parser.parse_args()
    raise_file_limit()
    tokens = Path(args.tokens_file).read_text().split() if args.tokens_file else []
    asyncio.run(run(args.url, tokens, args.sockets, Path(args.out), args.max_seconds))
    sys.exit(0)


if __name__ == "__main__":
    main()
