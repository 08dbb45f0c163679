"""One dispatcher per server process: puts events in order and writes them to the right sockets.

Events arrive from the hub in publish order, which can differ from commit order
by a few milliseconds (each request thread publishes after its own commit). The
dispatcher delivers an organisation's events strictly by number; when one is
missing it waits briefly, then reads it from the log. Each socket has a small
queue and one writer task, so a slow reader never holds up the others; one that
falls too far behind is told to resync and closed.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.db.models import Max

from alveole.live import presence
from alveole.live.hubs import get_hub
from alveole.live.models import Event
from alveole.live.publish import encode
from alveole.spaces.access import SpaceAccess, visible_space_ids_many
from alveole.spaces.people import sees

P = ParamSpec("P")
R = TypeVar("R")

log = logging.getLogger(__name__)
# (is_guest, visible space ids, member space ids): what a connected person may receive.
AccessState = SpaceAccess
GAP_WAIT = 0.25  # seconds to wait for an out-of-order event before reading the log

# Events after which a person's view of the organisation must be recomputed. Those naming a
# person (`data.user_id`) affect that person; the others (a space created, opened or closed)
# everyone connected to the organisation.
ACCESS_EVENTS = {"space.created", "space.member_added", "space.member_removed", "space.updated", "member.updated"}
CLOSE_CODE_DEACTIVATED = 4003
CLOSE_CODE_TOO_SLOW = 4008
# "Try again later" (RFC 6455): what someone may see could not be recomputed (database away);
# the client reconnects with ?after= and its backlog is read with fresh rights.
CLOSE_CODE_RETRY = 1013


@dataclass(eq=False)
class Connection:
    user_id: int
    org_id: int
    is_guest: bool
    spaces: set[int]  # spaces whose events this person may see
    member_spaces: set[int] = field(default_factory=set)  # spaces this person belongs to
    is_admin: bool = False  # owners and admins see every person's presence
    queue: asyncio.Queue[str | None] = field(default_factory=lambda: asyncio.Queue(settings.ALVEOLE_LIVE_QUEUE_MAX))
    # Until the backlog is sent, every event of the organisation is kept here unfiltered: it is
    # filtered when the socket goes live, with rights read after it was registered.
    buffer: list[tuple[int, dict[str, Any], str]] | None = field(default_factory=list)
    last_seq: int = 0
    close_code: int | None = None
    access_ticket: int = 0  # which read of the database the rights above come from (higher: newer)

    def set_access(self, state: AccessState, ticket: int) -> None:
        """Apply rights read from the database, unless newer ones were applied already."""
        if ticket > self.access_ticket:
            self.access_ticket = ticket
            self.is_guest, self.spaces, self.member_spaces = state.is_guest, set(state.spaces), set(state.member_spaces)
            self.is_admin = state.is_admin

    def allows(self, msg: dict[str, Any]) -> bool:
        audience = msg.get("audience")
        if audience == "space":
            return msg.get("space") in self.spaces
        if audience == "user":
            return msg.get("user") == self.user_id
        if audience == "members":
            return not self.is_guest
        return audience == "everyone"

    def offer(self, seq: int, msg: dict[str, Any], raw: str) -> None:
        """An event of this socket's organisation, in order: kept while buffering, else sent if allowed."""
        if self.buffer is not None:
            if self.close_code is None:
                self.buffer.append((seq, msg, raw))
        elif self.allows(msg):
            self.push(seq, raw)

    def push(self, seq: int, raw: str) -> None:
        if self.close_code is not None:
            return
        if seq <= self.last_seq:
            return  # already sent with the backlog
        self.last_seq = seq
        self._put(raw)

    def push_ephemeral(self, raw: str) -> None:
        if self.close_code is None and self.buffer is None:
            self._put(raw)

    def _put(self, raw: str) -> None:
        try:
            self.queue.put_nowait(raw)
        except asyncio.QueueFull:
            self.close(CLOSE_CODE_TOO_SLOW, resync=True)

    def go_live(self, last_seq: int) -> None:
        """The backlog up to `last_seq` was sent: now send what arrived meanwhile, then live events."""
        self.last_seq = last_seq
        pending, self.buffer = self.buffer or [], None
        for seq, msg, raw in pending:
            if self.allows(msg):
                self.push(seq, raw)

    def close(self, code: int, *, resync: bool = False) -> None:
        if self.close_code is not None:
            return
        self.close_code = code
        while not self.queue.empty():
            self.queue.get_nowait()
        if resync:
            self.queue.put_nowait(json.dumps({"kind": "resync", "reason": "too_slow"}))
        self.queue.put_nowait(None)  # tells the writer to close the socket


class Dispatcher:
    def __init__(self) -> None:
        self.by_org: dict[int, set[Connection]] = {}
        self.expected: dict[int, int] = {}  # next event number to deliver, per organisation
        self.held: dict[int, dict[int, tuple[dict[str, Any], str]]] = {}
        self.tasks: set[asyncio.Task[Any]] = set()  # references to every task we start
        self.started = False
        self.pinged: set[tuple[int, int]] = set()  # (organisation, person) whose presence to keep alive
        # Organisations whose delivery waits while rights are recomputed after an access event:
        # each event is filtered with the rights in force at its own number, never stale ones.
        self.paused: set[int] = set()
        self._tickets = 0

    def ticket(self) -> int:
        """A number ordering reads of people's rights. Reads go through Django's one sync thread
        in the order they are submitted, so a later ticket always saw a later database state."""
        self._tickets += 1
        return self._tickets

    # -- connections -------------------------------------------------------------

    async def start(self) -> None:
        # Every time: it restarts the hub's subscriber if that task ever ended.
        await get_hub().start(self)
        if not self.started:
            self.started = True
            self._spawn(self._recheck_forever())
            self._spawn(self._keep_presence_forever())

    async def _keep_presence_forever(self) -> None:
        """Keep the presence of people who pinged alive, in one batch every few seconds.

        A thread hop and two cache writes per ping (every 25 s per socket) were most of an
        idle server's work; a batch also writes once for someone with several tabs open.
        """
        while True:
            await asyncio.sleep(PRESENCE_BATCH_SECONDS)
            if self.pinged:
                people, self.pinged = sorted(self.pinged), set()
                try:
                    await db(presence.refresh_many)(people)
                except Exception:
                    log.exception("live: presence refresh failed")

    async def _recheck_forever(self) -> None:
        """A safety net beside the membership events: is everyone connected still allowed in?

        One sweep for all of the process's sockets, in batched queries: a timer per socket
        cost three queries per socket a minute, most of the idle CPU at 10,000 sockets.
        """
        while True:
            await asyncio.sleep(settings.ALVEOLE_LIVE_RECHECK_SECONDS)
            conns = [c for org in self.by_org.values() for c in org]
            if conns:
                try:
                    await self.refresh(conns)
                except Exception:
                    log.exception("live: access re-check failed")

    async def track(self, org_id: int) -> None:
        """Start numbering for an organisation from the log's current end."""
        if org_id not in self.expected:
            last = await db(_last_seq)(org_id)
            self.expected.setdefault(org_id, last + 1)

    def register(self, conn: Connection) -> None:
        self.by_org.setdefault(conn.org_id, set()).add(conn)

    def unregister(self, conn: Connection) -> None:
        conns = self.by_org.get(conn.org_id)
        if conns is not None:
            conns.discard(conn)
            if not conns:
                del self.by_org[conn.org_id]

    def connection_count(self) -> int:
        return sum(len(c) for c in self.by_org.values())

    # -- receiving -----------------------------------------------------------------

    def receive(self, raw: str) -> None:
        try:
            msg = json.loads(raw)
        except ValueError:
            log.warning("live: dropped a message that is not JSON")
            return
        if msg.get("kind") == "ephemeral":
            self._deliver_ephemeral(msg, raw)
            return
        org_id, seq = msg.get("org"), msg.get("seq")
        if not isinstance(org_id, int) or not isinstance(seq, int):
            return
        expected = self.expected.get(org_id)
        if expected is None:
            return  # nobody here follows this organisation; its clients read the log on connect
        if seq < expected:
            return  # a duplicate (the log was read first)
        held = self.held.setdefault(org_id, {})
        held[seq] = (msg, raw)
        self._drain(org_id)
        if self.held.get(org_id):
            self._spawn(self._fill_gap(org_id))

    def _drain(self, org_id: int) -> None:
        held = self.held.get(org_id, {})
        while org_id not in self.paused and self.expected[org_id] in held:
            msg, raw = held.pop(self.expected[org_id])
            self.expected[org_id] += 1
            self._deliver(msg, raw)
        if not held:
            self.held.pop(org_id, None)

    async def _fill_gap(self, org_id: int) -> None:
        await asyncio.sleep(GAP_WAIT)
        held = self.held.get(org_id)
        if not held or org_id in self.paused:
            return  # a paused organisation fills its gaps when it resumes
        start, end = self.expected[org_id], min(held)
        if start >= end:
            return
        try:
            found = await db(_read_log)(org_id, start, end)
        except Exception:
            log.warning("live: could not read events %d-%d from the log; retrying", start, end - 1, exc_info=True)
            self._spawn(self._fill_gap(org_id))
            return
        for raw in found:
            msg = json.loads(raw)
            if msg["seq"] >= self.expected[org_id]:
                self.held.setdefault(org_id, {})[msg["seq"]] = (msg, raw)
        self._drain(org_id)

    async def catch_up_all(self) -> None:
        """After the hub reconnected: read whatever the log has beyond what we delivered."""
        for org_id in list(self.expected):
            try:
                found = await db(_read_log)(org_id, self.expected[org_id], None)
            except Exception:
                # The database may be away too: the gap is filled when the next event shows it.
                log.warning("live: could not catch up organisation %d from the log", org_id, exc_info=True)
                continue
            for raw in found:
                self.receive(raw)

    # -- delivering -------------------------------------------------------------------

    def _deliver(self, msg: dict[str, Any], raw: str) -> None:
        conns = self.by_org.get(msg["org"], ())
        for conn in list(conns):
            conn.offer(msg["seq"], msg, raw)
        if msg.get("type") in ACCESS_EVENTS or msg.get("type") == "member.deactivated":
            self._on_access_change(msg, conns)

    def _on_access_change(self, msg: dict[str, Any], conns: set[Connection] | tuple[()]) -> None:
        data = msg.get("data") or {}
        affected_user = data.get("user_id")
        if msg["type"] == "member.deactivated":
            for conn in list(conns):
                if conn.user_id == affected_user:
                    conn.close(CLOSE_CODE_DEACTIVATED)
            return
        targets = [c for c in conns if affected_user is None or c.user_id == affected_user]
        if targets:
            # Nothing after this event goes out until the rights are recomputed: an event is
            # filtered with the rights in force at its own number (a post right after a removal
            # must not reach the removed person; one right after a space is created must reach
            # everyone who may now see it).
            self.paused.add(msg["org"])
            self._spawn(self._refresh_then_resume(msg["org"], targets))

    async def _refresh_then_resume(self, org_id: int, conns: list[Connection]) -> None:
        try:
            await self.refresh(conns)
        except Exception:
            # Unknown rights must not be guessed: these sockets reconnect and read their backlog
            # with fresh rights once the database answers again.
            log.warning("live: could not recompute rights; asking %d socket(s) to reconnect", len(conns), exc_info=True)
            for conn in conns:
                conn.close(CLOSE_CODE_RETRY)
        finally:
            self.paused.discard(org_id)
            if org_id in self.expected:
                self._drain(org_id)
                if self.held.get(org_id):
                    self._spawn(self._fill_gap(org_id))

    async def refresh(self, conns: list[Connection]) -> None:
        """Recompute what these people may see (after a membership or role change)."""
        user_ids = sorted({c.user_id for c in conns})
        ticket = self.ticket()
        states: dict[int, AccessState | None] = {}
        for start in range(0, len(user_ids), REFRESH_BATCH):
            states.update(await db(load_access_many)(user_ids[start : start + REFRESH_BATCH]))
        for conn in conns:
            state = states.get(conn.user_id)
            if state is None:
                conn.close(CLOSE_CODE_DEACTIVATED)
            else:
                conn.set_access(state, ticket)

    def _deliver_ephemeral(self, msg: dict[str, Any], raw: str) -> None:
        org_id = msg.get("org")
        if not isinstance(org_id, int):
            return
        presence = msg.get("type") == "presence"
        subject = SpaceAccess(bool(msg.get("guest")), frozenset(), frozenset(msg.get("spaces") or ()))
        # Addressed to a few people (a conversation's participants): to them only, whatever their spaces.
        addressed = msg.get("users")
        for conn in list(self.by_org.get(org_id, ())):
            if conn.user_id == msg.get("user_id"):
                continue
            if isinstance(addressed, list):
                if conn.user_id not in addressed:
                    continue
            elif presence:
                # The people directory's rule (spaces.people), on what the socket already knows.
                if not sees(conn, subject):
                    continue
            elif msg.get("space") not in conn.spaces:
                continue
            conn.push_ephemeral(raw)

    def _spawn(self, coro: Any) -> None:
        # Its own empty context: a task started while handling one socket or request must not
        # inherit that caller's sync-thread executor (asgiref refuses it, or it has exited).
        task = asyncio.create_task(coro, context=contextvars.Context())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)


def db(func: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """`func` run in Django's sync thread as a request would be: a connection left broken (by a
    database restart) or past its age is dropped before and after, so the live layer reconnects
    by itself instead of failing on a dead connection forever."""

    def clean(*args: P.args, **kwargs: P.kwargs) -> R:
        close_old_connections()
        try:
            return func(*args, **kwargs)
        except DatabaseError:
            try:
                connection.close()  # the next call opens a fresh one
            except DatabaseError:
                pass
            raise
        finally:
            close_old_connections()

    return sync_to_async(clean)


def _last_seq(org_id: int) -> int:
    return Event.objects.filter(organisation_id=org_id).aggregate(m=Max("seq"))["m"] or 0


def _read_log(org_id: int, start: int, end: int | None) -> list[str]:
    qs = Event.objects.filter(organisation_id=org_id, seq__gte=start)
    if end is not None:
        qs = qs.filter(seq__lt=end)
    return [encode(e) for e in qs.order_by("seq")[:10_000]]


def load_access(user_id: int) -> AccessState | None:
    """(is_guest, visible space ids, member space ids) for an active person, or None."""
    return load_access_many([user_id]).get(user_id)


def load_access_many(user_ids: list[int]) -> dict[int, AccessState | None]:
    """load_access for many people, by spaces.access's rule in its batch form."""
    return visible_space_ids_many(user_ids)


_dispatcher: Dispatcher | None = None
REFRESH_BATCH = 1000  # people per re-check query, to keep IN lists reasonable
# Far below presence.PRESENCE_TTL (90 s), so a batch always lands before the keys expire.
PRESENCE_BATCH_SECONDS = 5


def get_dispatcher() -> Dispatcher:
    global _dispatcher
    if _dispatcher is None:
        _dispatcher = Dispatcher()
    return _dispatcher
