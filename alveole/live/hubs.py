"""How an event reaches every server process: Redis pub/sub when REDIS_URL is set, memory otherwise.

Whatever the hub, each process has one receiver (one Redis subscription) that
hands messages to its Dispatcher, which writes to that process's own sockets.
A message lost on the way (Redis restarting, say) is not lost for clients: the
dispatcher notices the gap in the numbering and reads the durable log.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from typing import Protocol

from django.conf import settings

log = logging.getLogger(__name__)
CHANNEL = "alveole:live"


def channel_for(redis_url: str) -> str:
    """The pub/sub channel of this installation. Redis channels are global to a server, whatever the database
    number, so two installations (or two test processes) on one Redis would hear each other's events, with
    organisation ids that mean other organisations. They already need a Redis database each (their keys would
    clash otherwise): the channel is named after it."""
    from redis.connection import parse_url

    return f"{CHANNEL}:{parse_url(redis_url).get('db', 0)}"


class Dispatcher(Protocol):
    """What a hub hands messages to: each server process's dispatcher (alveole.realtime.dispatch)."""

    def receive(self, message: str) -> None: ...

    async def catch_up_all(self) -> None:
        """Read from the durable log whatever was published while the hub was away."""


class Hub(Protocol):
    def send(self, message: str) -> None:
        """Broadcast to every process; callable from any thread."""

    async def start(self, dispatcher: Dispatcher) -> None:
        """Start handing received messages to `dispatcher` (idempotent)."""


class MemoryHub:
    """One process: messages go straight to this process's dispatcher, on its event loop."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.dispatcher: Dispatcher | None = None

    async def start(self, dispatcher: Dispatcher) -> None:
        self.loop = asyncio.get_running_loop()
        self.dispatcher = dispatcher

    def send(self, message: str) -> None:
        loop, dispatcher = self.loop, self.dispatcher
        if loop is None or dispatcher is None or loop.is_closed():
            return  # no socket is served by this process: clients catch up from the log
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            dispatcher.receive(message)
        else:
            # A clean context: the sender's (a request's thread) must not leak into the tasks the
            # dispatcher starts, or their sync_to_async calls land on an executor that has exited.
            loop.call_soon_threadsafe(dispatcher.receive, message, context=contextvars.Context())


class RedisHub:
    """Several processes: one PUBLISH per event, one subscription per process."""

    def __init__(self, url: str) -> None:
        import redis

        self.url = url
        self.channel = channel_for(url)
        # Publishing happens from request threads after commit: a bounded, thread-safe pool
        # with timeouts, so that a Redis outage delays a request by seconds, not forever.
        self.publisher = redis.Redis.from_url(
            url, socket_timeout=5, socket_connect_timeout=5, max_connections=32, health_check_interval=30
        )
        self.task: asyncio.Task[None] | None = None

    def send(self, message: str) -> None:
        import redis

        try:
            self.publisher.publish(self.channel, message)
        except redis.RedisError:
            log.warning("live: could not publish to Redis; clients will catch up from the log", exc_info=True)

    async def start(self, dispatcher: Dispatcher) -> None:
        if self.task is None or self.task.done():
            # Keep the reference: a task nobody holds can be garbage-collected mid-flight.
            self.task = asyncio.create_task(self._receive(dispatcher), name="alveole-live-redis")

    async def _receive(self, dispatcher: Dispatcher) -> None:
        import redis.asyncio as aioredis
        from redis.exceptions import RedisError

        delay = 0.5
        first = True
        while True:
            # redis-py's defaults (no socket timeout, no health check) leave a dead
            # subscription hanging silently; ping it and time reads out instead.
            client = aioredis.Redis.from_url(
                self.url, socket_timeout=10, socket_connect_timeout=5, socket_keepalive=True, health_check_interval=5
            )
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.channel)
                if not first:
                    # Messages may have been published while we were away.
                    await dispatcher.catch_up_all()
                first = False
                delay = 0.5
                while True:
                    message = await pubsub.get_message(timeout=1.0)
                    if message is not None and message.get("type") == "message":
                        data = message["data"]
                        dispatcher.receive(data.decode() if isinstance(data, bytes) else data)
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError):
                log.warning("live: Redis subscription lost; reconnecting in %.1fs", delay, exc_info=True)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
            finally:
                try:
                    await pubsub.aclose()
                    await client.aclose()
                except (RedisError, OSError):
                    pass


_hub: Hub | None = None


def get_hub() -> Hub:
    global _hub
    if _hub is None:
        _hub = RedisHub(settings.REDIS_URL) if settings.REDIS_URL else MemoryHub()
    return _hub


def reset_hub() -> None:
    """Forget the hub (tests that switch REDIS_URL)."""
    global _hub
    _hub = None
