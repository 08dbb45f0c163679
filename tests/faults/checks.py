"""What a scenario must leave behind, checked from the database.

The event log says what was committed and who may see it; each socket's record says what it
got. Every socket must have every event it may see after its first hello exactly once and in
order, and nothing else. Every post with a mention must have its notification job run and
its effect exactly once: one notification per person mentioned, announced once.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .load import Answer, Person, Socket

PENDING = ("READY", "RUNNING")
SOCKETS_SHOWN = 6  # sockets detailed in a failure message
MEMBERSHIP_EVENTS = {"space.member_added", "space.member_removed"}


class Database:
    """Plain SQL on the scenario's database (PostgreSQL or the embedded SQLite file)."""

    def __init__(self, url: str) -> None:
        self.url = url

    def rows(self, sql: str, timeout: float = 60) -> list[tuple[Any, ...]]:
        """Run a query, retrying while the database is unreachable (it may be restarting) or locked."""
        import psycopg

        deadline = time.monotonic() + timeout
        while True:
            try:
                return self._rows(sql)
            except (psycopg.OperationalError, sqlite3.OperationalError) as exc:
                transient = isinstance(exc, psycopg.OperationalError) or "locked" in str(exc)
                if not transient or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def _rows(self, sql: str) -> list[tuple[Any, ...]]:
        if self.url.startswith("sqlite:///"):
            lite = sqlite3.connect(f"file:{self.url[len('sqlite:///') :]}?mode=ro", uri=True, timeout=10)
            try:
                return lite.execute(sql).fetchall()
            finally:
                lite.close()
        import psycopg

        with psycopg.connect(self.url, connect_timeout=3) as conn:
            return conn.execute(sql).fetchall()

    def value(self, sql: str) -> Any:
        return self.rows(sql)[0][0]

    def finished_jobs(self) -> int:
        sql = "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult WHERE status IN ('SUCCESSFUL', 'FAILED')"
        return int(self.value(sql))

    def pending_jobs(self) -> set[str]:
        """Ids of the jobs waiting or running now (a retry scheduled for later is not due yet)."""
        rows = self.rows(
            f"SELECT id, status, run_after FROM django_tasks_database_dbtaskresult WHERE status IN {PENDING}"
        )
        now = self.value("SELECT CURRENT_TIMESTAMP")
        due: set[str] = set()
        for pk, status, run_after in rows:
            # django-tasks-db stores "as soon as possible" as the largest date; SQLite gives text (UTC).
            if isinstance(now, str):
                ready = str(run_after)[:19] <= now[:19] or str(run_after).startswith("9999")
            else:
                ready = run_after is None or run_after <= now or run_after.year == 9999
            if status == "RUNNING" or ready:
                due.add(str(pk))
        return due


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


@dataclass
class Snapshot:
    events: dict[int, tuple[str, str, int | None, int | None, dict]]  # seq -> (type, audience, space, user, data)
    posts: dict[int, int | None]  # post id -> space id
    mentions: list[tuple[int, int]]  # (post, person), on posts only
    notifications: list[tuple[int, int, int, int]]  # (id, person, post, actor_count) of kind mention
    jobs: list[tuple[str, str, Any]]  # (status, task path, args)
    open_spaces: set[int]
    member_of: dict[int, set[int]]
    guests: set[int]
    # (person, space) -> membership events in order: who was in a space when an event was committed
    changes: dict[tuple[int, int], list[tuple[int, str]]] = field(default_factory=dict)

    @classmethod
    def read(cls, db: Database, org_id: int) -> Snapshot:
        events = {
            seq: (kind, audience, space, user, _json(data) or {})
            for seq, kind, audience, space, user, data in db.rows(
                "SELECT seq, type, audience, space_id, user_id, data FROM live_event "
                f"WHERE organisation_id = {int(org_id)} ORDER BY seq"
            )
        }
        member_of: dict[int, set[int]] = {}
        for user, space in db.rows("SELECT user_id, space_id FROM spaces_spacemembership"):
            member_of.setdefault(user, set()).add(space)
        return cls(
            events=events,
            posts=dict(db.rows(f"SELECT id, space_id FROM feed_post WHERE organisation_id = {int(org_id)}")),
            mentions=db.rows("SELECT post_id, user_id FROM feed_mention WHERE comment_id IS NULL"),
            notifications=db.rows(
                "SELECT id, user_id, post_id, actor_count FROM notifications_notification WHERE kind = 'mention'"
            ),
            jobs=[
                (status, path, _json(args))
                for status, path, args in db.rows(
                    "SELECT status, task_path, args_kwargs FROM django_tasks_database_dbtaskresult"
                )
            ],
            open_spaces={
                pk
                for (pk,) in db.rows(
                    f"SELECT id FROM spaces_space WHERE organisation_id = {int(org_id)} AND visibility = 'open'"
                )
            },
            member_of=member_of,
            guests={pk for (pk,) in db.rows("SELECT id FROM accounts_user WHERE role = 'guest'")},
        )

    @property
    def last_seq(self) -> int:
        return max(self.events, default=0)

    def member_at(self, user: int, space: int, seq: int) -> bool:
        """Was `user` in `space` when event `seq` was committed? Today's memberships, with the
        membership events after `seq` undone (the first change after `seq` tells the state before it)."""
        for change_seq, kind in self.changes.get((user, space), ()):
            if change_seq > seq:
                return kind == "space.member_removed"
        return space in self.member_of.get(user, set())

    def __post_init__(self) -> None:
        for seq, (kind, _audience, space, _user, data) in sorted(self.events.items()):
            if kind in MEMBERSHIP_EVENTS and space is not None and data.get("user_id") is not None:
                self.changes.setdefault((int(data["user_id"]), space), []).append((seq, kind))

    def can_read(self, user: int, post: int) -> bool:
        """Today's rule for a space post (what a notification job checks when it runs)."""
        space = self.posts.get(post)
        if space is None:
            return user not in self.guests
        return space in self.member_of.get(user, set()) or (user not in self.guests and space in self.open_spaces)

    def optional(self, person: Person, seq: int) -> bool:
        """The event that adds or removes this person: receiving it or not are both right."""
        kind, _audience, _space, _user, data = self.events[seq]
        return kind in MEMBERSHIP_EVENTS and data.get("user_id") == person.id

    def may_see(self, person: Person, seq: int) -> bool:
        """The live layer's rule (live/dispatch.py Connection.allows), with the memberships of that moment."""
        _kind, audience, space, user, _data = self.events[seq]
        guest = person.id in self.guests
        if audience == "space":
            if space is None:
                return False
            return (not guest and space in self.open_spaces) or self.member_at(person.id, space, seq)
        if audience == "user":
            return user == person.id
        if audience == "members":
            return not guest
        return audience == "everyone"


@dataclass
class Delivery:
    """One socket's account: due, received, lost, duplicated, out of order, not allowed."""

    socket: str
    due: int = 0
    delivered: int = 0
    lost: list[int] = field(default_factory=list)
    duplicated: int = 0
    out_of_order: int = 0
    forbidden: list[int] = field(default_factory=list)
    wrong: list[int] = field(default_factory=list)  # a number whose content is not the logged event
    resyncs: int = 0


def expected_seqs(snapshot: Snapshot, socket: Socket, *, types: set[str] | None = None) -> list[int]:
    start = socket.start_seq or 0
    return [
        seq
        for seq in snapshot.events
        if seq > start
        and snapshot.may_see(socket.person, seq)
        and not snapshot.optional(socket.person, seq)
        and (types is None or snapshot.events[seq][0] in types)
    ]


def caught_up(snapshot: Snapshot, sockets: list[Socket]) -> bool:
    for socket in sockets:
        got = {seq for seq, _type, _post in socket.received()}
        if not set(expected_seqs(snapshot, socket)) <= got:
            return False
    return True


def account(snapshot: Snapshot, socket: Socket, *, types: set[str] | None = None) -> Delivery:
    due = expected_seqs(snapshot, socket, types=types)
    received = [
        (seq, kind, post)
        for seq, kind, post in socket.received()
        if seq <= snapshot.last_seq and (types is None or kind in types)
    ]
    result = Delivery(socket.name, due=len(due), resyncs=socket.resyncs)
    seen: set[int] = set()
    highest = 0
    for seq, kind, post in received:
        if seq in seen:
            result.duplicated += 1
            continue
        seen.add(seq)
        if seq < highest:
            result.out_of_order += 1
        highest = max(highest, seq)
        logged = snapshot.events.get(seq)
        if logged is None or logged[0] != kind or logged[4].get("post_id") != post:
            result.wrong.append(seq)
        elif not snapshot.may_see(socket.person, seq) and not snapshot.optional(socket.person, seq):
            result.forbidden.append(seq)
    result.lost = [seq for seq in due if seq not in seen]
    result.delivered = result.due - len(result.lost)
    return result


@dataclass
class Jobs:
    pending: int = 0
    failed: int = 0
    missing: list[int] = field(default_factory=list)  # posts with a mention and no job row
    not_notified: list[tuple[int, int]] = field(default_factory=list)  # (post, person)
    doubled: list[tuple[int, int]] = field(default_factory=list)  # more than one line, or announced twice


def check_jobs(snapshot: Snapshot, *, posts: set[int], pending: int) -> Jobs:
    """Each post of `posts` that mentions someone: a job, run, with one notification per person."""
    result = Jobs(pending=pending)
    jobs_for: Counter[int] = Counter()
    for status, path, args in snapshot.jobs:
        if path.endswith("post_published") and isinstance(args, dict) and args.get("args"):
            post = int(args["args"][0])
            jobs_for[post] += 1
            if status == "FAILED" and post in posts:
                result.failed += 1
    lines: Counter[tuple[int, int]] = Counter()
    line_of: dict[tuple[int, int], list[int]] = {}
    for pk, user, post, actor_count in snapshot.notifications:
        lines[(post, user)] += actor_count
        line_of.setdefault((post, user), []).append(pk)
    announced: Counter[int] = Counter(
        int(data["notification_id"])
        for kind, _a, _s, _u, data in snapshot.events.values()
        if kind == "notifications.changed" and data.get("notification_id") is not None
    )
    # A job tells only who may read the post when it runs: someone removed from the space since
    # is rightly not told, so only the mentions still readable now are due.
    mentioned = sorted(
        {(post, user) for post, user in snapshot.mentions if post in posts and snapshot.can_read(user, post)}
    )
    for post in sorted({post for post, _user in mentioned}):
        if jobs_for[post] == 0:
            result.missing.append(post)
    for key in mentioned:
        if lines[key] == 0:
            result.not_notified.append(key)
        elif lines[key] > 1 or any(announced[pk] > 1 for pk in line_of[key]):
            # A rerun that joins the same unread line still re-announces it and clears
            # emailed_at (a second email): that is an effect twice.
            result.doubled.append(key)
    return result


@dataclass
class Outcome:
    """One scenario's figures (a row of the longrun table) and what went wrong."""

    fault: str
    load: str
    committed: int = 0  # posts committed during the scenario
    due: int = 0  # (socket, event) pairs to deliver
    delivered: int = 0
    lost: int = 0
    duplicated: int = 0
    jobs_lost: int = 0  # mentions whose notification never came (job lost, stuck or failed)
    jobs_doubled: int = 0  # mentions notified more than once
    server_errors_after: int = 0  # 5xx answers to requests sent once the service was back
    server_errors_during: int = 0
    unanswered: int = 0  # requests with no HTTP answer (refused while down, timed out)
    recovery_seconds: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        recovery = "—" if self.recovery_seconds is None else f"{self.recovery_seconds:.1f} s"
        head = (
            f"[{self.fault}] {self.load}: committed {self.committed} posts, delivered {self.delivered}/{self.due}, "
            f"lost {self.lost}, duplicated {self.duplicated}, notifications lost {self.jobs_lost} / doubled "
            f"{self.jobs_doubled}, 5xx after recovery {self.server_errors_after} "
            f"(during {self.server_errors_during}), unanswered {self.unanswered}, recovered in {recovery}"
        )
        extra = "".join(f"\n  {k}: {v}" for k, v in self.extra.items())
        problems = "".join(f"\n  ✗ {p}" for p in self.problems) or "\n  ✓ every check passed"
        return head + extra + problems


def judge(
    outcome: Outcome,
    snapshot: Snapshot,
    sockets: list[Socket],
    answers: list[Answer],
    *,
    posts_before: int,
    pending_jobs: set[str],
    back_at: float | None,
    event_types: set[str] | None = None,
) -> Outcome:
    """Fill `outcome` from the database snapshot, the sockets' records and the API answers.

    `pending_jobs`: the jobs still waiting or running, but for those already stuck before the scenario."""
    new_posts = {pk for pk in snapshot.posts if pk > posts_before}
    outcome.committed = len(new_posts)
    logged_posts = {
        data.get("post_id") for kind, _a, _s, _u, data in snapshot.events.values() if kind == "post.created"
    }
    if unlogged := sorted(new_posts - logged_posts):
        outcome.problems.append(f"{len(unlogged)} committed posts have no post.created event: {unlogged[:10]}")

    accounts = [account(snapshot, s, types=event_types) for s in sockets]
    outcome.due = sum(a.due for a in accounts)
    outcome.delivered = sum(a.delivered for a in accounts)
    outcome.lost = sum(len(a.lost) for a in accounts)
    outcome.duplicated = sum(a.duplicated for a in accounts)
    details = []
    for a in accounts:
        wrongs = []
        if a.lost:
            kinds = Counter(snapshot.events[seq][0] for seq in a.lost)
            wrongs.append(f"lost {len(a.lost)} of {a.due} ({dict(kinds)}; seqs {a.lost[:6]})")
        if a.duplicated:
            wrongs.append(f"{a.duplicated} received twice")
        if a.out_of_order:
            wrongs.append(f"{a.out_of_order} out of order")
        if a.forbidden:
            wrongs.append(f"{len(a.forbidden)} it may not see (seqs {a.forbidden[:6]})")
        if a.wrong:
            wrongs.append(f"{len(a.wrong)} that differ from the log (seqs {a.wrong[:6]})")
        if a.resyncs:
            wrongs.append(f"told to resync {a.resyncs} times")
        if wrongs:
            details.append(f"{a.socket}: " + ", ".join(wrongs))
    if details:
        shown = "".join(f"\n      {d}" for d in details[:SOCKETS_SHOWN])
        more = f"\n      … and {len(details) - SOCKETS_SHOWN} more" if len(details) > SOCKETS_SHOWN else ""
        outcome.problems.append(
            f"{len(details)} of {len(accounts)} sockets did not get exactly their events:{shown}{more}"
        )

    jobs = check_jobs(snapshot, posts=new_posts, pending=len(pending_jobs))
    outcome.jobs_lost, outcome.jobs_doubled = len(jobs.not_notified), len(jobs.doubled)
    outcome.extra["jobs"] = (
        f"{len(snapshot.jobs)} rows, pending {jobs.pending}, failed post jobs {jobs.failed}, "
        f"posts without a job {len(jobs.missing)}, mentions not notified {len(jobs.not_notified)}, "
        f"notified twice {len(jobs.doubled)}"
    )
    if jobs.pending:
        outcome.problems.append(f"{jobs.pending} jobs still READY or RUNNING after the grace period")
    if jobs.failed:
        outcome.problems.append(f"{jobs.failed} notification jobs FAILED")
    if jobs.missing:
        outcome.problems.append(f"{len(jobs.missing)} posts with a mention have no job row: {jobs.missing[:10]}")
    if jobs.not_notified:
        outcome.problems.append(f"{len(jobs.not_notified)} mentions never notified: {jobs.not_notified[:10]}")
    if jobs.doubled:
        outcome.problems.append(f"{len(jobs.doubled)} mentions notified more than once: {jobs.doubled[:10]}")

    errors = [a for a in answers if a.status is not None and a.status >= 500]
    after = [a for a in errors if back_at is not None and a.started >= back_at]
    outcome.server_errors_after = len(after)
    outcome.server_errors_during = len(errors) - len(after)
    outcome.unanswered = sum(1 for a in answers if a.status is None)
    if silent := [a for a in answers if a.status is None and back_at is not None and a.started >= back_at]:
        outcome.problems.append(
            f"{len(silent)} API requests got no answer after the service was back ({Counter(a.error for a in silent)})"
        )
    if after:
        sample = after[0].body if isinstance(after[0].body, str) else json.dumps(after[0].body)[:200]
        outcome.problems.append(f"{len(after)} API answers were 5xx after the service was back, e.g. {sample!r}")
    other = Counter(a.status for a in answers if a.status is not None and 400 <= a.status < 500)
    if other:
        outcome.problems.append(f"API refused posts with 4xx: {dict(other)}")
    return outcome


def table(outcomes: list[Outcome]) -> str:
    """The figures as a Markdown table (for docs/reliability.md)."""
    lines = [
        "| fault | load | committed posts | delivered | lost | duplicated | notifications lost / doubled "
        "| 5xx after recovery (during) | seconds to recover | result |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for o in outcomes:
        recovery = "—" if o.recovery_seconds is None else f"{o.recovery_seconds:.1f}"
        result = "pass" if o.ok else f"**fail** ({len(o.problems)})"
        lines.append(
            f"| {o.fault} | {o.load} | {o.committed} | {o.delivered} of {o.due} | {o.lost} | {o.duplicated} "
            f"| {o.jobs_lost} / {o.jobs_doubled} | {o.server_errors_after} ({o.server_errors_during}) "
            f"| {recovery} | {result} |"
        )
    return "\n".join(lines)
