"""The WebSocket endpoint, /ws: a raw ASGI route beside Django.

Protocol (JSON text frames):

- connect to `/ws?after=N` where N is the last event number the client applied
  (omit it on a fresh page: live events only). Authenticate with the session
  cookie (same origin only) or `Authorization: Bearer <token>`.
- server → client: `{"kind": "hello", "seq": S, "user_id": …}` first (S: the
  organisation's latest event number); then every missed event the person may
  see, in order, then live ones: `{"kind": "event", "seq", "type", "data", …}`.
  When the client is too far behind: `{"kind": "resync"}` — refetch, then carry
  on from `hello.seq`. Ephemeral messages (`{"kind": "ephemeral", "type":
  "typing" | "presence", …}`) have no number.
- client → server: `{"type": "ping"}` every ~25 s (answered by `{"kind": "pong"}`;
  it also keeps the person's presence alive), `{"type": "typing", "post_id": N}`,
  `{"type": "presence", "state": "online" | "away"}`.
- a conversation's typing: `{"kind": "ephemeral", "type": "typing", "conversation_id", "user_id",
  "name"}`, to its other participants only (sent by POST /api/v1/conversations/{id}/typing).
- presence: `{"kind": "ephemeral", "type": "presence", "user_id", "state"}` when
  someone comes online, goes away or leaves (offline), to the people who may see
  them (guests: only through a shared space). GET /api/v1/presence gives the
  current states.
- client frames that are not a JSON object with a known `type` are answered with
  `{"kind": "error", "message": …}`; the socket stays open.
- close codes: 4401 not signed in, 4003 deactivated (do not reconnect), 4008 too
  slow (reconnect), 1013 rights could not be rechecked or the server is
  overloaded (reconnect after a pause).
"""

from __future__ import annotations

import asyncio
import json
import logging
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlparse

from django.conf import settings
from django.contrib.auth import get_user
from django.contrib.sessions.backends.base import SessionBase
from django.db.models import Max, Min, Q
from django.http import HttpRequest
from django.utils.module_loading import import_string

from alveole.accounts.actions import user_for_token
from alveole.accounts.identity import session_account
from alveole.accounts.mfa import must_set_up_mfa
from alveole.accounts.models import User
from alveole.core.errors import NotFound
from alveole.feed.access import get_post_for
from alveole.live import presence
from alveole.live.models import Audience, Event
from alveole.live.publish import encode, publish_ephemeral
from alveole.sso.selectors import password_login_disabled

from .dispatch import (
    CLOSE_CODE_DEACTIVATED,
    CLOSE_CODE_RETRY,
    CLOSE_CODE_TOO_SLOW,
    AccessState,
    Connection,
    db,
    get_dispatcher,
    load_access,
)

log = logging.getLogger(__name__)
CLOSE_NOT_AUTHENTICATED = 4401
PONG = json.dumps({"kind": "pong"})
MAX_FRAME_CHARS = 4096  # client frames are tiny (ping, typing, presence)

Scope = dict[str, Any]


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _same_origin(headers: dict[str, str]) -> bool:
    origin = headers.get("origin")
    if origin is None:
        return True  # not a browser: no cross-site risk from cookies
    if origin in settings.CSRF_TRUSTED_ORIGINS:
        return True
    return urlparse(origin).netloc == headers.get("host", "")


def authenticate(scope: Scope) -> tuple[int, int] | None:
    """(person, organisation) for the active person connecting, or None."""

    headers = _headers(scope)
    authorization = headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        token_user = user_for_token(authorization[7:].strip())
        return (token_user.pk, token_user.org_id) if token_user is not None else None
    if not _same_origin(headers):
        return None
    cookie = SimpleCookie()
    try:
        cookie.load(headers.get("cookie", ""))
    except Exception:  # noqa: BLE001 - a malformed cookie header means "not signed in"
        return None
    morsel = cookie.get(settings.SESSION_COOKIE_NAME)
    if morsel is None:
        return None
    store_class = import_string(settings.SESSION_ENGINE + ".SessionStore")
    request = HttpRequest()
    request.session = store_class(session_key=morsel.value)
    assert isinstance(request.session, SessionBase)
    signed_in = get_user(request)  # checks the session's auth hash, the backend, and is_active
    if not isinstance(signed_in, User) or not signed_in.is_active:
        return None
    # The active account, resolved as ActiveAccountMiddleware does for pages.
    _identity, user, bound = session_account(signed_in, request.session)
    if user is None or must_set_up_mfa(user):
        return None
    if not bound and password_login_disabled(user):  # as sso's PasswordLoginPolicyMiddleware refuses pages
        return None
    return user.pk, user.org_id


def backlog(user_id: int, org_id: int, is_guest: bool, spaces: set[int], after: int) -> tuple[list[str], int, bool]:
    """Events after `after` the person may see: (messages, last number, resync needed)."""

    bounds = Event.objects.filter(organisation_id=org_id).aggregate(first=Min("seq"), last=Max("seq"))
    last = bounds["last"] or 0
    if after >= last:
        return [], last, False
    if bounds["first"] is not None and after < bounds["first"] - 1:
        return [], last, True  # the events were pruned from the log
    visible = Q(audience=Audience.EVERYONE) | Q(audience=Audience.USER, user_id=user_id)
    visible |= Q(audience=Audience.SPACE, space_id__in=spaces)
    if not is_guest:
        visible |= Q(audience=Audience.MEMBERS)
    limit = settings.ALVEOLE_LIVE_RESUME_MAX
    events = list(
        Event.objects.filter(organisation_id=org_id, seq__gt=after, seq__lte=last)
        .filter(visible)
        .order_by("seq")[: limit + 1]
    )
    if len(events) > limit:
        return [], last, True
    return [encode(e) for e in events], last, False


async def _writer(conn: Connection, send: Any) -> None:
    """Drain the socket's queue. A client that stops reading blocks the send: past the timeout it
    is treated like a full queue (close 4008, it resumes with ?after=) instead of being left to the
    server's keep-alive."""
    timeout = settings.ALVEOLE_LIVE_SEND_TIMEOUT_SECONDS
    try:
        while True:
            raw = await conn.queue.get()
            if raw is None:
                await asyncio.wait_for(send({"type": "websocket.close", "code": conn.close_code or 1000}), timeout)
                return
            await asyncio.wait_for(send({"type": "websocket.send", "text": raw}), timeout)
    except TimeoutError:
        conn.close(CLOSE_CODE_TOO_SLOW)
    except (OSError, RuntimeError) as exc:
        # The client went away while we wrote (uvicorn raises ClientDisconnected, an OSError, or
        # RuntimeError after close): the reader sees the disconnect and cleans up.
        log.debug("live: write to a closed socket (%s)", exc.__class__.__name__)
        conn.close(1006)


async def websocket_endpoint(scope: Scope, receive: Any, send: Any) -> None:
    first = await receive()
    if first.get("type") != "websocket.connect":
        return
    dispatcher = get_dispatcher()
    try:
        admit_ticket = dispatcher.ticket()
        admitted = await db(admit)(scope)
    except Exception:
        log.warning("live: could not admit a socket (database unavailable?)", exc_info=True)
        await send({"type": "websocket.close", "code": CLOSE_CODE_RETRY})
        return
    if isinstance(admitted, int):
        await send({"type": "websocket.close", "code": admitted})
        return
    user_id, org_id, access = admitted
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    try:
        after: int | None = int(query["after"][0]) if "after" in query else None
    except ValueError:
        after = None

    try:
        await dispatcher.start()
        await dispatcher.track(org_id)
    except Exception:
        log.warning("live: could not start delivery (database or Redis unavailable?)", exc_info=True)
        await send({"type": "websocket.close", "code": CLOSE_CODE_RETRY})
        return
    conn = Connection(
        user_id=user_id,
        org_id=org_id,
        is_guest=access.is_guest,
        spaces=set(access.spaces),
        member_spaces=set(access.member_spaces),
        is_admin=access.is_admin,
    )
    conn.access_ticket = admit_ticket
    # Registered before reading the log, so nothing committed meanwhile can fall between the two.
    dispatcher.register(conn)
    writer: asyncio.Task[None] | None = None
    try:
        await send({"type": "websocket.accept"})
        # Rights are read again after registering: a change that landed between the first read
        # and the registration (a space created, a removal) is in these, and everything buffered
        # meanwhile is filtered with them.
        session_ticket = dispatcher.ticket()
        try:
            fresh, (missed, last, resync) = await db(open_session)(conn, after or 0)
        except Exception:
            log.warning("live: could not read the backlog (database unavailable?)", exc_info=True)
            await send({"type": "websocket.close", "code": CLOSE_CODE_RETRY})
            return
        if fresh is None:
            await send({"type": "websocket.close", "code": CLOSE_CODE_DEACTIVATED})
            return
        conn.set_access(fresh, session_ticket)
        hello = {"kind": "hello", "seq": last, "user_id": user_id}
        await send({"type": "websocket.send", "text": json.dumps(hello)})
        if after is not None and resync:
            await send({"type": "websocket.send", "text": json.dumps({"kind": "resync", "reason": "too_far_behind"})})
        elif after is not None:
            for raw in missed:
                await send({"type": "websocket.send", "text": raw})
        conn.go_live(last)
        writer = asyncio.create_task(_writer(conn, send))
        reader = asyncio.create_task(_read(conn, receive, scope))
        # Whichever ends first ends the socket: the client leaving (reader), or the writer having
        # closed it or given up on a client that stopped reading. Returning from the app makes the
        # server drop the connection even when no close frame could be written.
        done, _pending = await asyncio.wait({writer, reader}, return_when=asyncio.FIRST_COMPLETED)
        if reader in done:
            reader.result()  # surface a reader's unexpected error in the log
        else:
            reader.cancel()
    finally:
        dispatcher.unregister(conn)
        if writer is not None and not writer.done():
            writer.cancel()
        try:
            await db(close_session)(conn)
        except Exception:
            log.warning("live: could not record a disconnection (presence)", exc_info=True)


# Each blocking step of a handshake used to be its own hop to the one thread that runs
# Django's sync code: after a restart, 10,000 reconnecting sockets queued there for over a
# minute (bench/RESULTS.md). A connection now costs one hop to open and one to close.


def admit(scope: Scope) -> tuple[int, int, AccessState] | int:
    """(person, organisation, what they may see) for a socket being opened, or the close code."""
    person = authenticate(scope)
    if person is None:
        return CLOSE_NOT_AUTHENTICATED
    user_id, org_id = person
    access = load_access(user_id)
    if access is None:
        return CLOSE_CODE_DEACTIVATED
    return user_id, org_id, access


def open_session(conn: Connection, after: int) -> tuple[AccessState | None, tuple[list[str], int, bool]]:
    """Fresh rights and the backlog since `after` read with them; the person is online now (told to
    others if they just came). Presence lives in Redis: while it is away the socket still opens."""
    access = load_access(conn.user_id)
    if access is None:
        return None, ([], 0, False)
    missed = backlog(conn.user_id, conn.org_id, access[0], set(access[1]), after)
    try:
        if presence.connected(conn.org_id, conn.user_id):
            announce_presence(conn, "online")
    except Exception:
        log.warning("live: presence unavailable (cache or Redis down?)", exc_info=True)
    return access, missed


def close_session(conn: Connection) -> None:
    try:
        if presence.disconnected(conn.org_id, conn.user_id):
            announce_presence(conn, "offline")
    except Exception:
        log.warning("live: presence unavailable (cache or Redis down?)", exc_info=True)


def parse_frame(text: str | None) -> dict[str, Any] | str:
    """A client frame as a request, or the sentence explaining why it is not one."""
    if text is None:
        return "Send JSON text frames."
    if len(text) > MAX_FRAME_CHARS:
        return f"A frame may hold at most {MAX_FRAME_CHARS} characters."
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return "This frame is not valid JSON."
    if not isinstance(data, dict):
        return 'Send a JSON object such as {"type": "ping"}.'
    kind = data.get("type")
    if kind == "ping":
        return data
    if kind == "presence":
        return data if data.get("state") in presence.STATES else 'A presence frame needs "state": "online" or "away".'
    if kind == "typing":
        post_id = data.get("post_id")
        valid = isinstance(post_id, int) and not isinstance(post_id, bool) and 0 < post_id < 2**63
        return data if valid else 'A typing frame needs "post_id": the id of a post.'
    return 'Unknown frame type: use "ping", "typing" or "presence".'


def _error_frame(message: str) -> str:
    return json.dumps({"kind": "error", "message": message})


async def _read(conn: Connection, receive: Any, scope: Scope) -> None:
    while conn.close_code is None:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        if message["type"] != "websocket.receive":
            continue
        data = parse_frame(message.get("text"))
        if isinstance(data, str):
            conn.push_ephemeral(_error_frame(data))
            continue
        try:
            if data["type"] == "ping":
                conn.push_ephemeral(PONG)
                get_dispatcher().pinged.add((conn.org_id, conn.user_id))
            elif data["type"] == "presence":
                if await db(presence.set_state)(conn.org_id, conn.user_id, data["state"]):
                    await db(announce_presence)(conn, data["state"])
            elif data["type"] == "typing":
                await db(announce_typing)(conn.user_id, data["post_id"])
        except Exception:
            log.warning("live: could not handle a %s frame", data["type"], exc_info=True)


def announce_presence(conn: Connection, state: str) -> None:

    publish_ephemeral(
        {
            "type": "presence",
            "org": conn.org_id,
            "user_id": conn.user_id,
            "state": state,
            "guest": conn.is_guest,
            "spaces": sorted(conn.member_spaces),
        }
    )


def announce_typing(user_id: int, post_id: int) -> None:
    """Tell the readers of a post's space that someone is writing a comment (not stored)."""

    user = User.objects.filter(pk=user_id, is_active=True).select_related("organisation").first()
    if user is None:
        return
    try:
        post = get_post_for(user, post_id)
    except NotFound:
        return
    if post.space_id is None:
        return
    publish_ephemeral(
        {
            "type": "typing",
            "org": user.organisation_id,
            "space": post.space_id,
            "post_id": post.pk,
            "user_id": user.pk,
            "name": user.full_name,
        }
    )
