"""The machine's limit for fan-out: one Redis subscription broadcasting to plain sockets, no Django.

    uvicorn bench.bare_relay:app --port 8100 --ws-per-message-deflate false

Same shape as Alvéole's hub (one subscriber task, a queue and a writer task per
socket) but no authentication, no filtering, no log: what is left is the cost
of the ASGI server, the WebSocket frames and Redis.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import redis.asyncio as aioredis

CHANNEL = "alveole:bare-relay"
sockets: set[asyncio.Queue[str]] = set()
subscriber: asyncio.Task[None] | None = None


async def _subscribe() -> None:
    client = aioredis.Redis.from_url(
        os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"), socket_timeout=10, health_check_interval=5
    )
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe(CHANNEL)
    while True:
        message = await pubsub.get_message(timeout=1.0)
        if message is not None:
            text = message["data"].decode()
            for queue in list(sockets):
                queue.put_nowait(text)


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    global subscriber
    if scope["type"] != "websocket":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})
        return
    if subscriber is None:
        subscriber = asyncio.create_task(_subscribe())
    await receive()
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.send", "text": '{"kind":"hello"}'})
    queue: asyncio.Queue[str] = asyncio.Queue()
    sockets.add(queue)

    async def writer() -> None:
        while True:
            await send({"type": "websocket.send", "text": await queue.get()})

    task = asyncio.create_task(writer())
    try:
        while (await receive())["type"] != "websocket.disconnect":
            pass
    finally:
        sockets.discard(queue)
        task.cancel()
