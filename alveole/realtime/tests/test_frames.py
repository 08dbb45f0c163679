"""What a client may send on the socket: anything at all gets a sentence back, never a dropped socket."""

from __future__ import annotations

import asyncio
import json

from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st

from alveole.realtime.dispatch import CLOSE_CODE_TOO_SLOW, Connection
from alveole.realtime.ws import _writer, parse_frame

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
frames = st.one_of(
    st.text(max_size=200),
    json_values.map(json.dumps),
    st.fixed_dictionaries(
        {"type": st.sampled_from(["ping", "typing", "presence", "other"])},
        optional={
            "post_id": json_values,
            "state": json_values,
        },
    ).map(json.dumps),
    st.integers(min_value=1, max_value=3000).map(lambda depth: "[" * depth + "]" * depth),
)


@examples(max_examples=300, deadline=None)
@given(frames)
def test_any_frame_is_a_request_or_a_sentence(text: str) -> None:
    result = parse_frame(text)
    if isinstance(result, str):
        assert result.endswith(".") and len(result) < 200
    else:
        assert result["type"] in {"ping", "typing", "presence"}


def test_the_frames_that_used_to_drop_the_socket_get_a_sentence() -> None:
    for text in ("[1,2]", '"ping"', "null", "[" * 100_000 + "]" * 100_000, "{", None):
        assert isinstance(parse_frame(text), str), text
    assert parse_frame('{"type": "typing", "post_id": 99999999999999999999}') == (
        'A typing frame needs "post_id": the id of a post.'
    )
    assert parse_frame('{"type": "ping"}') == {"type": "ping"}


def test_a_client_that_stops_reading_is_closed_as_too_slow(settings) -> None:
    settings.ALVEOLE_LIVE_SEND_TIMEOUT_SECONDS = 0.05

    async def scenario() -> Connection:
        conn = Connection(user_id=1, org_id=1, is_guest=False, spaces=set())
        conn.go_live(0)
        conn.push(1, '{"kind":"event"}')

        async def stuck_send(message: dict) -> None:
            await asyncio.Event().wait()  # the client's TCP window stays full

        await asyncio.wait_for(_writer(conn, stuck_send), 2)
        return conn

    assert asyncio.run(scenario()).close_code == CLOSE_CODE_TOO_SLOW
