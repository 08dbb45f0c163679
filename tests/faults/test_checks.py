"""The fault suite's judge, on made-up records: it must see every way delivery or jobs go wrong.

These need no service and run in every pass; the scenarios that use them are in test_faults.py.
"""

from __future__ import annotations

from typing import Any

from .checks import Snapshot, account, check_jobs
from .load import Person, Socket

OPEN, PRIVATE = 1, 2
OWNER = Person(1, "owner@x", "owner", "owner", "t1")
MEMBER = Person(2, "member@x", "member", "member", "t2")
GUEST = Person(3, "guest@x", "guest", "guest", "t3")


Logged = tuple[str, str, int | None, int | None, dict]


def snapshot(events: dict[int, Logged], **kwargs: Any) -> Snapshot:
    values: dict[str, Any] = {
        "posts": {},
        "mentions": [],
        "notifications": [],
        "jobs": [],
        "open_spaces": {OPEN},
        "member_of": {1: {OPEN, PRIVATE}, 2: {OPEN}, 3: {PRIVATE}},
        "guests": {3},
    }
    return Snapshot(events=events, **(values | kwargs))


def post(n: int, space: int) -> Logged:
    return ("post.created", "space", space, None, {"post_id": n})


def socket(person: Person, received: list[int], log: Snapshot, start: int = 0) -> Socket:
    s = Socket(person.handle, person, ["ws://x"], start_seq=start)
    s.events = [(seq, log.events[seq][0], log.events[seq][4].get("post_id")) for seq in received]
    return s


LOG = {1: post(10, OPEN), 2: post(11, PRIVATE), 3: ("notifications.changed", "user", None, 2, {}), 4: post(12, OPEN)}


def test_every_event_it_may_see_once_in_order_is_a_clean_account() -> None:
    log = snapshot(LOG)
    assert account(log, socket(MEMBER, [1, 3, 4], log)).due == 3
    clean = account(log, socket(MEMBER, [1, 3, 4], log))
    assert (clean.lost, clean.duplicated, clean.out_of_order, clean.forbidden) == ([], 0, 0, [])
    assert account(log, socket(GUEST, [2], log)).lost == []


def test_a_missing_a_repeated_a_late_and_a_forbidden_event_are_each_seen() -> None:
    log = snapshot(LOG)
    assert account(log, socket(MEMBER, [1, 4], log)).lost == [3]
    assert account(log, socket(MEMBER, [1, 3, 3, 4], log)).duplicated == 1
    assert account(log, socket(MEMBER, [1, 4, 3], log)).out_of_order == 1
    assert account(log, socket(GUEST, [1, 2], log)).forbidden == [1]  # a guest, an open space
    assert account(log, socket(MEMBER, [1, 2, 3, 4], log)).forbidden == [2]  # a private space


def test_only_events_after_the_first_hello_are_due() -> None:
    log = snapshot(LOG)
    assert account(log, socket(MEMBER, [4], log, start=3)).lost == []


def test_rights_are_those_at_each_event() -> None:
    """The member joins the private space at 2 and leaves it at 5: 3 is due, 6 is forbidden,
    and the events that add or remove the member may come or not."""
    log = snapshot(
        {
            1: post(10, PRIVATE),
            2: ("space.member_added", "space", PRIVATE, None, {"user_id": 2, "space_id": PRIVATE}),
            3: post(11, PRIVATE),
            4: post(12, OPEN),
            5: ("space.member_removed", "space", PRIVATE, None, {"user_id": 2, "space_id": PRIVATE}),
            6: post(13, PRIVATE),
        }
    )  # today the member is out of the private space again (member_of says so)
    assert account(log, socket(MEMBER, [3, 4], log)).lost == []
    assert account(log, socket(MEMBER, [2, 3, 4, 5], log)).forbidden == []
    assert account(log, socket(MEMBER, [4], log)).lost == [3]
    assert account(log, socket(MEMBER, [3, 4, 6], log)).forbidden == [6]
    assert account(log, socket(MEMBER, [1, 3, 4], log)).forbidden == [1]


def test_a_mention_never_notified_or_notified_twice_is_seen() -> None:
    events: dict[int, Logged] = {
        1: ("notifications.changed", "user", None, 2, {"notification_id": 100}),
        2: ("notifications.changed", "user", None, 2, {"notification_id": 101}),
        3: ("notifications.changed", "user", None, 2, {"notification_id": 101}),  # a job run twice
    }
    log = snapshot(
        events,
        posts={10: OPEN, 11: OPEN, 12: OPEN, 13: PRIVATE},
        mentions=[(10, 2), (11, 2), (12, 2), (13, 2)],
        notifications=[(100, 2, 10, 1), (101, 2, 11, 1)],
        jobs=[("SUCCESSFUL", "x.post_published", {"args": [n], "kwargs": {}}) for n in (10, 11, 12, 13)],
    )
    jobs = check_jobs(log, posts={10, 11, 12, 13}, pending=0)
    assert jobs.not_notified == [(12, 2)]  # 13: the member cannot read it (any more): not due
    assert jobs.doubled == [(11, 2)]
    assert jobs.missing == []
    assert check_jobs(snapshot(events, posts={14: OPEN}, mentions=[(14, 2)]), posts={14}, pending=0).missing == [14]
