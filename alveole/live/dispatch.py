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
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings

log = logging.getLogger(__name__)
# (is_guest, visible space ids, member space ids): what a connected person may receive.
AccessState = tuple[bool, frozenset[int], frozenset[int]]
GAP_WAIT = 0.25  # seconds to wait for an out-of-order event before reading the log

# Events after which a person's view of the organisation must be recomputed.
ACCESS_EVENTS = {"space.member_added", "space.member_removed", "space.updated", "member.updated"}
CLOSE_CODE_DEACTIVATED = 4003
CLOSE_CODE_TOO_SLOW = 4008


@dataclass(eq=False)
class Connection:
    user_id: int
    org_id: int
    is_guest: bool
    spaces: set[int]  # spaces whose events this person may see
    member_spaces: set[int] = field(default_factory=set)  # spaces this person belongs to
    queue: asyncio.Queue[str | None] = field(default_factory=lambda: asyncio.Queue(settings.ALVEOLE_LIVE_QUEUE_MAX))
    buffer: list[tuple[int, str]] | None = field(default_factory=list)  # until the backlog is sent
    last_seq: int = 0
    close_code: int | None = None

    def allows(self, msg: dict[str, Any]) -> bool:
        audience = msg.get("audience")
        if audience == "space":
            return msg.get("space") in self.spaces
        if audience == "user":
            return msg.get("user") == self.user_id
        if audience == "members":
            return not self.is_guest
        return audience == "everyone"

    def push(self, seq: int, raw: str) -> None:
        if self.close_code is not None:
            return
        if self.buffer is not None:
            self.buffer.append((seq, raw))
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
        for seq, raw in pending:
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

    # -- connections -------------------------------------------------------------

    async def start(self) -> None:
        if not self.started:
            from .hubs import get_hub

            await get_hub().start(self)
            self.started = True
            self._spawn(self._recheck_forever())
            self._spawn(self._keep_presence_forever())

    async def _keep_presence_forever(self) -> None:
        """Keep the presence of people who pinged alive, in one batch every few seconds.

        A thread hop and two cache writes per ping (every 25 s per socket) were most of an
        idle server's work; a batch also writes once for someone with several tabs open.
        """
        from . import presence

        while True:
            await asyncio.sleep(PRESENCE_BATCH_SECONDS)
            if self.pinged:
                people, self.pinged = sorted(self.pinged), set()
                try:
                    await sync_to_async(presence.refresh_many)(people)
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
            last = await sync_to_async(_last_seq)(org_id)
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
        while self.expected[org_id] in held:
            msg, raw = held.pop(self.expected[org_id])
            self.expected[org_id] += 1
            self._deliver(msg, raw)
        if not held:
            self.held.pop(org_id, None)

    async def _fill_gap(self, org_id: int) -> None:
        await asyncio.sleep(GAP_WAIT)
        held = self.held.get(org_id)
        if not held:
            return
        start, end = self.expected[org_id], min(held)
        for raw in await sync_to_async(_read_log)(org_id, start, end):
            msg = json.loads(raw)
            if msg["seq"] >= self.expected[org_id]:
                self.held.setdefault(org_id, {})[msg["seq"]] = (msg, raw)
        self._drain(org_id)

    async def catch_up_all(self) -> None:
        """After the hub reconnected: read whatever the log has beyond what we delivered."""
        for org_id in list(self.expected):
            for raw in await sync_to_async(_read_log)(org_id, self.expected[org_id], None):
                self.receive(raw)

    # -- delivering -------------------------------------------------------------------

    def _deliver(self, msg: dict[str, Any], raw: str) -> None:
        conns = self.by_org.get(msg["org"], ())
        for conn in list(conns):
            if conn.allows(msg):
                conn.push(msg["seq"], raw)
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
            self._spawn(self.refresh(targets))

    async def refresh(self, conns: list[Connection]) -> None:
        """Recompute what these people may see (after a membership or role change)."""
        user_ids = sorted({c.user_id for c in conns})
        states: dict[int, AccessState | None] = {}
        for start in range(0, len(user_ids), REFRESH_BATCH):
            states.update(await sync_to_async(load_access_many)(user_ids[start : start + REFRESH_BATCH]))
        for conn in conns:
            state = states.get(conn.user_id)
            if state is None:
                conn.close(CLOSE_CODE_DEACTIVATED)
            else:
                conn.is_guest, conn.spaces, conn.member_spaces = state[0], set(state[1]), set(state[2])

    def _deliver_ephemeral(self, msg: dict[str, Any], raw: str) -> None:
        org_id = msg.get("org")
        if not isinstance(org_id, int):
            return
        presence = msg.get("type") == "presence"
        subject_spaces = set(msg.get("spaces") or ())
        for conn in list(self.by_org.get(org_id, ())):
            if conn.user_id == msg.get("user_id"):
                continue
            if presence:
                # The same rule as the people directory: guests and the people they meet
                # see each other only through a shared space.
                if (msg.get("guest") or conn.is_guest) and not subject_spaces & conn.member_spaces:
                    continue
            elif msg.get("space") not in conn.spaces:
                continue
            conn.push_ephemeral(raw)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)


def _last_seq(org_id: int) -> int:
    from django.db.models import Max

    from .models import Event

    return Event.objects.filter(organisation_id=org_id).aggregate(m=Max("seq"))["m"] or 0


def _read_log(org_id: int, start: int, end: int | None) -> list[str]:
    from .models import Event
    from .publish import encode

    qs = Event.objects.filter(organisation_id=org_id, seq__gte=start)
    if end is not None:
        qs = qs.filter(seq__lt=end)
    return [encode(e) for e in qs.order_by("seq")[:10_000]]


def load_access(user_id: int) -> AccessState | None:
    """(is_guest, visible space ids, member space ids) for an active person, or None."""
    return load_access_many([user_id]).get(user_id)


def load_access_many(user_ids: list[int]) -> dict[int, AccessState | None]:
    """load_access for many people in three queries (the same rule as visible_spaces).

    A person sees the spaces they belong to, plus their organisation's open spaces
    unless they are a guest; None for anyone deactivated or gone.
    """
    from alveole.accounts.models import Role, User
    from alveole.spaces.models import Space, SpaceMembership, Visibility

    people = {
        pk: (org_id, role)
        for pk, org_id, role in User.objects.filter(pk__in=user_ids, is_active=True).values_list(
            "pk", "organisation_id", "role"
        )
    }
    member: dict[int, set[int]] = {pk: set() for pk in people}
    for user_id, space_id in SpaceMembership.objects.filter(user_id__in=people).values_list("user_id", "space_id"):
        member[user_id].add(space_id)
    open_spaces: dict[int, set[int]] = {}
    orgs = {org_id for org_id, _role in people.values()}
    for org_id, space_id in Space.objects.filter(organisation_id__in=orgs, visibility=Visibility.OPEN).values_list(
        "organisation_id", "pk"
    ):
        open_spaces.setdefault(org_id, set()).add(space_id)
    states: dict[int, AccessState | None] = dict.fromkeys(user_ids)
    for pk, (org_id, role) in people.items():
        guest = role == Role.GUEST
        visible = member[pk] if guest else member[pk] | open_spaces.get(org_id, set())
        states[pk] = (guest, frozenset(visible), frozenset(member[pk]))
    return states


_dispatcher: Dispatcher | None = None
REFRESH_BATCH = 1000  # people per re-check query, to keep IN lists reasonable
# Far below presence.PRESENCE_TTL (90 s), so a batch always lands before the keys expire.
PRESENCE_BATCH_SECONDS = 5


def get_dispatcher() -> Dispatcher:
    global _dispatcher
    if _dispatcher is None:
        _dispatcher = Dispatcher()
    return _dispatcher
