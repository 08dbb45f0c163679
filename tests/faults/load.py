"""The load of a fault scenario: posts through the REST API, and WebSocket clients that keep
every event they receive and reconnect with `?after=<last seq>` when dropped.

The clients live in one asyncio loop on a thread of their own, so that the scenario itself
(killing and restarting processes, polling the database) is plain blocking code.
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import websockets
from websockets.exceptions import InvalidStatus, WebSocketException

# No proxy from the environment between the suite and its own servers.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    handle: str
    role: str
    token: str

    @property
    def is_guest(self) -> bool:
        return self.role == "guest"


@dataclass(frozen=True)
class World:
    """What tests/faults/seed.py created."""

    org_id: int
    people: list[Person]
    spaces: dict[str, dict[str, Any]]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> World:
        return cls(data["org_id"], [Person(**p) for p in data["people"]], data["spaces"])

    def person(self, email_prefix: str) -> Person:
        return next(p for p in self.people if p.email.startswith(email_prefix + "@"))

    @property
    def owner(self) -> Person:
        return self.person("owner")

    def members_of(self, space: str) -> list[Person]:
        ids = set(self.spaces[space]["members"])
        return [p for p in self.people if p.id in ids]


@dataclass
class Answer:
    started: float  # time.monotonic()
    seconds: float
    target: str
    status: int | None  # None: no HTTP answer at all (refused, reset, timed out)
    error: str = ""
    body: Any = None


def call(base: str, token: str, method: str, path: str, body: dict | None = None, timeout: float = 10) -> Answer:
    """One API request; never raises for an HTTP or network failure (the answer says what happened)."""
    request = urllib.request.Request(
        base + "/api/v1" + path,
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    started = time.monotonic()
    try:
        with _opener.open(request, timeout=timeout) as response:
            raw = response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        raw, status = exc.read(), exc.code
    except (OSError, ValueError) as exc:  # refused, reset, timed out, a broken HTTP answer
        return Answer(started, time.monotonic() - started, base, None, exc.__class__.__name__)
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = raw[:200].decode(errors="replace")
    return Answer(started, time.monotonic() - started, base, status, body=parsed)


class Poster:
    """Posts at a steady rate from a few threads, round-robin over the web processes.

    Every post @mentions another reader of its space, so it queues a notification job. What
    was committed is read from the database afterwards: an answer lost in a crash says nothing.
    """

    def __init__(
        self, world: World, targets: Callable[[], list[str]], *, rate: float, threads: int = 2, seed: int = 1
    ) -> None:
        self.world, self.targets, self.rate, self.threads = world, targets, rate, threads
        self.answers: list[Answer] = []
        self.sent = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._random = random.Random(seed)
        self._workers: list[threading.Thread] = []
        weights = {"Everyone": 5, "Project": 3, "Board": 2}
        self._spaces = [name for name, w in weights.items() for _ in range(w)]

    def _next(self) -> tuple[int, str, dict]:
        with self._lock:
            n = self.sent
            self.sent += 1
            space = self._random.choice(self._spaces)
            members = self.world.members_of(space)
            author, mentioned = self._random.sample(members, 2)
        body = {"space_id": self.world.spaces[space]["id"], "body": f"Load {n} in {space}, for @{mentioned.handle}"}
        return n, author.token, body

    def _run(self, index: int) -> None:
        interval = self.threads / self.rate
        next_at = time.monotonic() + index * interval / self.threads
        while not self._stop.is_set():
            if self._stop.wait(max(0.0, next_at - time.monotonic())):
                return
            # A thread that fell behind (a slow answer) does not burst to catch up.
            next_at = max(next_at + interval, time.monotonic() - interval)
            n, token, body = self._next()
            targets = self.targets()
            answer = call(targets[n % len(targets)], token, "POST", "/posts", body, timeout=15)
            with self._lock:
                self.answers.append(answer)

    def start(self) -> Poster:
        for index in range(self.threads):
            worker = threading.Thread(target=self._run, args=(index,), name=f"poster-{index}", daemon=True)
            worker.start()
            self._workers.append(worker)
        return self

    def stop(self) -> None:
        self._stop.set()
        for worker in self._workers:
            worker.join(20)

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def count(self) -> int:
        with self._lock:
            return len(self.answers)

    def wait_until_time(self, moment: float) -> None:
        """Let the load run until `moment` (time.monotonic()); returns early if the poster stops."""
        self._stop.wait(max(0.0, moment - time.monotonic()))

    def wait_posts(self, n: int, timeout: float) -> None:
        """Let `n` more posts be attempted (time passes with the load, not with a fixed sleep)."""
        target = self.count() + n
        deadline = time.monotonic() + timeout
        while self.count() < target and time.monotonic() < deadline:
            time.sleep(0.05)


@dataclass
class Attempt:
    at: float
    url: str
    accepted: bool
    detail: str = ""  # HTTP status of a refused handshake, exception name, close code


@dataclass
class Socket:
    """One client: its events across every connection it made, in arrival order."""

    name: str
    person: Person
    urls: list[str]  # the web processes' /ws, its home first
    events: list[tuple[int, str, int | None]] = field(default_factory=list)  # (seq, type, post id)
    start_seq: int | None = None  # hello.seq of the first connection: events after it are due
    last_seq: int = 0
    resyncs: int = 0
    attempts: list[Attempt] = field(default_factory=list)
    connected: bool = False
    task: asyncio.Task[None] | None = None

    async def run(self, stopping: asyncio.Event) -> None:
        failures = 0
        while not stopping.is_set():
            # Like a load balancer: the home process first, the other one after a failure.
            url = self.urls[failures % len(self.urls)]
            if self.start_seq is not None:
                url += f"?after={self.last_seq}"
            try:
                await self._session(url, stopping)
                failures = 0
            except Exception as exc:  # noqa: BLE001 - whatever broke the connection, the client reconnects
                detail = str(exc.response.status_code) if isinstance(exc, InvalidStatus) else exc.__class__.__name__
                self.attempts.append(Attempt(time.monotonic(), url, False, detail))
                failures += 1
            self.connected = False
            if not stopping.is_set():
                await asyncio.sleep(min(1.0, 0.05 * 2**failures))

    async def _session(self, url: str, stopping: asyncio.Event) -> None:
        headers = {"Authorization": f"Bearer {self.person.token}"}
        async with websockets.connect(
            url, additional_headers=headers, open_timeout=5, close_timeout=2, proxy=None, compression=None,
            max_queue=None,
        ) as ws:  # fmt: skip
            hello = json.loads(await asyncio.wait_for(ws.recv(), 10))
            if hello.get("kind") != "hello":
                raise ValueError(f"first message is not hello: {hello}")
            if self.start_seq is None:
                self.start_seq = self.last_seq = hello["seq"]
            self.attempts.append(Attempt(time.monotonic(), url, True))
            self.connected = True
            closing = asyncio.ensure_future(stopping.wait())
            try:
                while True:
                    receiving = asyncio.ensure_future(ws.recv())
                    done, _ = await asyncio.wait({receiving, closing}, return_when=asyncio.FIRST_COMPLETED)
                    if receiving not in done:
                        receiving.cancel()
                        return
                    self._receive(json.loads(receiving.result()), hello["seq"])
            except websockets.ConnectionClosed as exc:
                code = exc.rcvd.code if exc.rcvd is not None else None
                self.attempts.append(Attempt(time.monotonic(), url, False, f"closed {code}"))
            finally:
                closing.cancel()

    def _receive(self, message: dict[str, Any], hello_seq: int) -> None:
        if message.get("kind") == "event":
            self.events.append((message["seq"], message["type"], (message.get("data") or {}).get("post_id")))
            self.last_seq = message["seq"]
        elif message.get("kind") == "resync":
            # A real client refetches and carries on from hello.seq; here it counts as a loss.
            self.resyncs += 1
            self.last_seq = max(self.last_seq, hello_seq)

    def received(self) -> list[tuple[int, str, int | None]]:
        return list(self.events)


class Clients:
    """Many sockets in one event loop on a background thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.sockets: list[Socket] = []
        self._thread = threading.Thread(target=self.loop.run_forever, name="websockets", daemon=True)
        self._thread.start()
        self._stopping = self.run(self._make_event())

    @staticmethod
    async def _make_event() -> asyncio.Event:
        return asyncio.Event()

    def run(self, coro: Coroutine[Any, Any, Any], timeout: float = 60) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def open(self, people: list[tuple[str, Person, list[str]]], timeout: float = 30) -> list[Socket]:
        """Open sockets (name, person, urls) and wait until each has its hello."""
        new = [Socket(name, person, urls) for name, person, urls in people]

        async def start() -> None:
            for socket in new:
                socket.task = asyncio.ensure_future(socket.run(self._stopping))

        self.run(start())
        self.sockets += new
        deadline = time.monotonic() + timeout
        while not all(s.start_seq is not None for s in new):
            if time.monotonic() > deadline:
                waiting = [s.name for s in new if s.start_seq is None]
                raise TimeoutError(f"sockets not open within {timeout:.0f} s: {waiting}")
            time.sleep(0.05)
        return new

    def close(self) -> None:
        async def stop() -> None:
            self._stopping.set()
            tasks = [s.task for s in self.sockets if s.task is not None]
            if tasks:
                await asyncio.wait(tasks, timeout=10)
            for task in tasks:
                task.cancel()

        try:
            self.run(stop(), timeout=20)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(10)


async def _handshake(url: str, token: str, timeout: float) -> str:
    headers = {"Authorization": f"Bearer {token}"}
    try:
        async with websockets.connect(url, additional_headers=headers, open_timeout=timeout, proxy=None) as ws:
            hello = json.loads(await asyncio.wait_for(ws.recv(), timeout))
            return "" if hello.get("kind") == "hello" else f"no hello: {hello}"
    except InvalidStatus as exc:
        return f"HTTP {exc.response.status_code}"
    except (OSError, TimeoutError, WebSocketException, ValueError) as exc:
        return exc.__class__.__name__


def handshake(url: str, token: str, timeout: float = 5) -> str:
    """Open a fresh socket and wait for hello: "" when accepted, else why not."""
    return asyncio.run(_handshake(url, token, timeout))
