"""The faults, each run the same way: sockets open, posts flow, the fault strikes, the service
comes back, the load goes on, then everything is checked from the database.

Used by the test suite (tests/faults/test_faults.py: short) and by `python -m tests.faults.longrun`
(longer, bigger, a Markdown table of figures).
"""

from __future__ import annotations

import itertools
import json
import shlex
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .checks import Database, Outcome, Snapshot, caught_up, judge
from .load import Answer, Clients, Poster, Socket, World, call, handshake
from .services import (
    JOB_LEASE_SECONDS,
    ROOT,
    PostgresCluster,
    Proc,
    RedisServer,
    Web,
    alveole,
    app_env,
    run_alveole,
    seed_command,
    wait_until,
)

TEMPLATE = "fault_template"
WS_ACCEPT_LIMIT = 10.0  # seconds after PostgreSQL is back within which new sockets must be accepted
RECOVERY_LIMIT = 30.0  # seconds after the fault ended for a new socket and a post to be accepted
# The queue must drain: it may take long while it makes progress (a backlog after a worker was
# down), but no progress for this long (a job abandoned by a killed worker is given back after
# one lease) means it is stuck.
JOBS_STALL = 3 * JOB_LEASE_SECONDS + 5
JOBS_DRAIN_MAX = 90.0
CATCH_UP = 15.0


@dataclass
class Load:
    sockets: int = 30
    rate: float = 10.0  # posts per second
    before: float = 3.0  # seconds of load before the fault
    after: float = 4.0  # seconds of load once the service is back

    def describe(self) -> str:
        return f"{self.sockets} sockets, {self.rate:g} posts/s"


class Services:
    """The session's PostgreSQL cluster and Redis, a migrated and seeded template database,
    and (prepared beside it, on the other core) a migrated and seeded SQLite file."""

    def __init__(self, base: Path | None = None) -> None:
        self.base = base or Path(tempfile.mkdtemp(prefix="alveole-faults-"))
        self.cluster = PostgresCluster(self.base)
        self.redis = RedisServer(self.base)
        self.world: World | None = None
        self._sqlite_prep: Proc | None = None
        self._names = itertools.count(1)

    def start(self) -> Services:
        self.cluster.init().start()
        self.redis.start()
        self._start_sqlite_prep()
        self.cluster.execute(f'CREATE DATABASE "{TEMPLATE}"')
        env = app_env(self.base, database_url=self.cluster.url(TEMPLATE))
        run_alveole(env, "migrate", "--verbosity", "0")
        self.world = World.from_json(json.loads(run_seed(env)))
        return self

    def _start_sqlite_prep(self) -> None:
        folder = self.base / "sqlite-template"
        folder.mkdir()
        env = app_env(folder, database_url=f"sqlite:///{folder}/alveole.sqlite3", embedded_worker=True)
        migrate = shlex.join(alveole("migrate", "--verbosity", "0"))
        script = f"{migrate} && {shlex.join(seed_command())} > {shlex.quote(str(folder / 'world.json'))}"
        # Niced: it only has to be ready for the last scenario, the others come first.
        command = ["nice", "-n", "15", "sh", "-c", script]
        self._sqlite_prep = Proc("sqlite-prep", command, env=env, log_dir=self.base).start()

    def sqlite_template(self, timeout: float = 180) -> tuple[Path, World]:
        """The prepared SQLite file and its world (waits for the preparation if need be)."""
        assert self._sqlite_prep is not None and self._sqlite_prep.process is not None
        code = self._sqlite_prep.process.wait(timeout)
        if code != 0:
            raise RuntimeError(f"preparing the SQLite database failed:\n{self._sqlite_prep.tail()}")
        folder = self.base / "sqlite-template"
        return folder / "alveole.sqlite3", World.from_json(json.loads(last_json_line(folder / "world.json")))

    def new_database(self) -> tuple[str, int]:
        """A fresh copy of the seeded template, and a Redis database number of its own."""
        n = next(self._names)
        name = f"fault_{n}"
        self.cluster.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
        return self.cluster.url(name), n % 16

    def stop(self) -> None:
        steps = [self.redis.stop, self.cluster.stop]
        if self._sqlite_prep is not None:
            steps.insert(0, self._sqlite_prep.stop)
        for step in steps:
            try:
                step()
            except Exception as exc:  # noqa: BLE001 - stop the others whatever happens
                print(f"faults: stopping a service failed: {exc!r}")


def last_json_line(path: Path) -> str:
    return [line for line in path.read_text().splitlines() if line.startswith("{")][-1]


def run_seed(env: dict[str, str]) -> str:
    result = subprocess.run(seed_command(), cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"seeding failed:\n{result.stderr[-4000:]}")
    return [line for line in result.stdout.splitlines() if line.startswith("{")][-1]


@dataclass
class Stack:
    """A set of Alvéole processes on one database: web processes, and a worker unless jobs run embedded."""

    database_url: str
    env: dict[str, str]
    world: World
    webs: list[Web]
    worker: Proc | None
    dir: Path
    redis: RedisServer | None = None
    cluster: PostgresCluster | None = None

    def start(self) -> Stack:
        for web in self.webs:
            web.proc.start()
        if self.worker is not None:
            self.worker.start()
        for web in self.webs:
            web.wait_ready()
        return self

    def ensure_running(self) -> Stack:
        """Before the next scenario on a shared stack: start again whatever a previous one left down."""
        if self.cluster is not None and not (self.cluster.proc and self.cluster.proc.alive()):
            self.cluster.start()
        if self.redis is not None and not self.redis.proc.alive():
            self.redis.start()
        for web in self.webs:
            if not web.proc.alive():
                web.proc.start()
        if self.worker is not None and not self.worker.alive():
            self.worker.start()
        for web in self.webs:
            web.wait_ready()
        return self

    def stop(self) -> None:
        for proc in [w.proc for w in self.webs] + ([self.worker] if self.worker else []):
            try:
                proc.stop()
            except Exception as exc:  # noqa: BLE001
                print(f"faults: stopping {proc.name} failed: {exc!r}")

    def procs_all(self) -> list[Proc]:
        return [w.proc for w in self.webs] + ([self.worker] if self.worker else [])

    def urls(self) -> list[str]:
        return [w.http for w in self.webs]


@contextmanager
def postgres_stack(services: Services, webs: int = 2) -> Iterator[Stack]:
    """Two `alveole run` processes and one `alveole worker` on a fresh copy of the seeded database."""
    assert services.world is not None
    url, redis_db = services.new_database()
    folder = Path(tempfile.mkdtemp(prefix="stack-", dir=services.base))
    env = app_env(folder, database_url=url, redis_url=services.redis.url(redis_db))
    stack = Stack(
        database_url=url,
        env=env,
        world=services.world,
        webs=[Web(f"web{i}", env, folder) for i in range(webs)],
        worker=Proc("worker", alveole("worker"), env=env, log_dir=folder),
        dir=folder,
        redis=services.redis,
        cluster=services.cluster,
    )
    try:
        yield stack
    finally:
        stack.stop()


@contextmanager
def embedded_stack(services: Services) -> Iterator[Stack]:
    """The default install: one `alveole run` on SQLite, jobs in the same process, no Redis."""
    template, world = services.sqlite_template()
    folder = Path(tempfile.mkdtemp(prefix="embedded-", dir=services.base))
    database = folder / "alveole.sqlite3"
    shutil.copyfile(template, database)
    env = app_env(folder, database_url=f"sqlite:///{database}", embedded_worker=True)
    stack = Stack(
        database_url=f"sqlite:///{database}", env=env, world=world, webs=[Web("embedded", env, folder)],
        worker=None, dir=folder,
    )  # fmt: skip
    try:
        yield stack
    finally:
        stack.stop()


@dataclass
class Run:
    """What a fault has at hand while it strikes."""

    stack: Stack
    load: Load
    clients: Clients
    poster: Poster
    db: Database
    outcome: Outcome
    probe_answers: list[Answer] = field(default_factory=list)
    stuck_before: frozenset[str] = frozenset()  # jobs pending when the scenario began (a previous one's)

    def pending_now(self) -> set[str]:
        return self.db.pending_jobs() - self.stuck_before

    def seconds_of_load(self, seconds: float) -> None:
        """Let the load run for `seconds` (and at least one more post be attempted)."""
        attempted = self.poster.count()
        self.poster.wait_until_time(time.monotonic() + seconds)
        if self.poster.count() == attempted and not self.poster.stopped:
            self.poster.wait_posts(1, timeout=20)


def open_sockets(clients: Clients, stack: Stack, count: int) -> list[Socket]:
    """`count` sockets over the people (guests included), alternating between the web processes."""
    people, urls = stack.world.people, [w.ws for w in stack.webs]
    plan = []
    for i in range(count):
        person = people[i % len(people)]
        home = i % len(urls)
        name = f"{person.email.split('@')[0]}#{i}@{stack.webs[home].proc.name}"
        plan.append((name, person, urls[home:] + urls[:home]))
    return clients.open(plan)


def probe(run: Run, back_at: float, timeout: float = RECOVERY_LIMIT) -> float | None:
    """Seconds from `back_at` until the service works end to end again: a new socket is accepted
    on every web process, a post through each is accepted, and its notification job has run."""
    world, stack = run.stack.world, run.stack
    owner, reader = world.owner, world.person("member1")
    deadline = back_at + timeout
    last_failure = ""

    def remaining() -> float:
        return max(0.5, deadline - time.monotonic())

    try:
        for web in stack.webs:

            def accepted(web: Web = web) -> bool:
                nonlocal last_failure
                last_failure = handshake(web.ws, owner.token, timeout=3)
                return last_failure == ""

            wait_until(accepted, timeout=remaining(), every=0.2, what=f"a new socket on {web.proc.name}")
        run.outcome.extra["new sockets accepted after (s)"] = round(time.monotonic() - back_at, 2)
        posted: list[int] = []
        for web in stack.webs:
            text = f"Probe via {web.proc.name} for @{reader.handle}"
            body = {"space_id": world.spaces["Everyone"]["id"], "body": text}

            def accepts_posts(web: Web = web, body: dict = body) -> bool:
                nonlocal last_failure
                answer = call(web.http, owner.token, "POST", "/posts", body, timeout=5)
                run.probe_answers.append(answer)
                last_failure = f"POST via {web.proc.name}: {answer.status or answer.error} {answer.body!r}"[:300]
                if answer.status == 201:
                    posted.append(answer.body["id"])
                    return True
                return False

            wait_until(accepts_posts, timeout=remaining(), every=0.2, what=f"a post through {web.proc.name}")
        ids = ", ".join(str(pk) for pk in posted)
        last_failure = "the probe posts' notifications were not written (no worker, or the queue is stuck)"
        notified = f"SELECT COUNT(*) FROM notifications_notification WHERE post_id IN ({ids}) AND user_id = {reader.id}"
        # Behind a backlog (the worker was down) this takes as long as the backlog: that is recovery too.
        if not drain_jobs(run.db, until=lambda: run.db.value(notified) == len(posted)):
            raise TimeoutError(last_failure)
    except TimeoutError:
        run.outcome.problems.append(f"not recovered after the fault ended: {last_failure}")
        return None
    return round(time.monotonic() - back_at, 2)


def drain_jobs(db: Database, until: Callable[[], bool] | None = None, ignore: frozenset[str] = frozenset()) -> bool:
    """Wait until `until()` (default: no job pending but `ignore`) while the queue makes progress;
    True if it came.

    A queue that moves may take long (a backlog after a worker was down); one that has not moved
    for JOBS_STALL seconds is stuck. Whatever is left is judged from the snapshot.
    """
    started = progressed = time.monotonic()
    finished = db.finished_jobs()
    while not (until() if until is not None else not db.pending_jobs() - ignore):
        if time.monotonic() - progressed > JOBS_STALL or time.monotonic() - started > JOBS_DRAIN_MAX:
            return False
        time.sleep(0.2)
        if (now_finished := db.finished_jobs()) > finished:
            finished, progressed = now_finished, time.monotonic()
    return True


def settle(run: Run, sockets: list[Socket], org_id: int) -> Snapshot:
    """Wait for the queue to drain and the sockets to catch up (each with a deadline); the state then."""
    drain_jobs(run.db, ignore=run.stuck_before)
    snapshot = Snapshot.read(run.db, org_id)
    deadline = time.monotonic() + CATCH_UP
    while not caught_up(snapshot, sockets) and time.monotonic() < deadline:
        time.sleep(0.3)
        snapshot = Snapshot.read(run.db, org_id)
    return snapshot


def execute(
    stack: Stack,
    fault: str,
    load: Load,
    strike: Callable[[Run], float],
    *,
    poster_threads: int = 2,
) -> Outcome:
    """Run one scenario on a started stack; `strike` causes the fault and returns when it was over."""
    outcome = Outcome(fault=fault, load=load.describe())
    db = Database(stack.database_url)
    posts_before = db.value("SELECT COALESCE(MAX(id), 0) FROM feed_post")
    clients = Clients()
    poster = Poster(stack.world, stack.urls, rate=load.rate, threads=poster_threads)
    run = Run(stack, load, clients, poster, db, outcome, stuck_before=frozenset(db.pending_jobs()))
    started = time.monotonic()
    phases: dict[str, float] = {}

    def phase(name: str) -> None:
        phases[name] = max(0.0, round(time.monotonic() - started - sum(phases.values()), 1))

    outcome.extra["phases (s)"] = phases
    try:
        sockets = open_sockets(clients, stack, load.sockets)
        phase("open sockets")
        poster.start()
        run.seconds_of_load(load.before)
        phase("load before")
        back_at = strike(run)
        phase("fault")
        outcome.recovery_seconds = probe(run, back_at)
        phase("recovery")
        run.seconds_of_load(load.after)
        poster.stop()
        phase("load after")
        snapshot = settle(run, sockets, stack.world.org_id)
        phase("settle")
        answers = poster.answers + run.probe_answers
        judge(outcome, snapshot, sockets, answers, posts_before=posts_before, pending_jobs=run.pending_now(),
              back_at=back_at)  # fmt: skip
        failed_handshakes = [a for s in sockets for a in s.attempts if not a.accepted and a.at >= back_at + 1]
        refused = [a.detail for a in failed_handshakes if a.detail.isdigit()]
        if refused:
            outcome.problems.append(
                f"{len(refused)} reconnections refused after the fault ended: HTTP {sorted(set(refused))}"
            )
        outcome.extra["reconnections"] = sum(1 for s in sockets for a in s.attempts if a.accepted) - len(sockets)
    finally:
        poster.stop()
        clients.close()
    tracebacks = {p.name: p.errors() for p in stack.procs_all() if p.errors()}
    if tracebacks:
        outcome.extra["tracebacks in logs"] = tracebacks
    outcome.extra["scenario seconds"] = round(time.monotonic() - started, 1)
    outcome.logs = [f"{p.log}" for p in stack.procs_all()]
    return outcome


# -- the faults ----------------------------------------------------------------------------------


def kill_web(stack: Stack, load: Load) -> Outcome:
    """kill -9 one of two web processes while posts flow; restart it."""

    def strike(run: Run) -> float:
        victim = stack.webs[0]
        victim.proc.kill()
        run.seconds_of_load(1.0)  # its sockets move to the other process; its share of posts fails
        return victim.start()

    return execute(stack, "web process killed (-9) and restarted", load, strike)


def kill_worker(stack: Stack, load: Load, kills: int = 3) -> Outcome:
    """kill -9 `alveole worker` three times while it drains a backlog of notification jobs; the posts
    stop at the last restart (there is no load after this fault)."""
    assert stack.worker is not None
    worker = stack.worker
    worker.stop()  # it starts inside the fault, on the backlog that the first seconds of load queue

    table = "django_tasks_database_dbtaskresult"

    def done(run: Run) -> int:
        return int(run.db.value(f"SELECT COUNT(*) FROM {table} WHERE status = 'SUCCESSFUL'"))

    def running(run: Run) -> set[str]:
        return {str(pk) for (pk,) in run.db.rows(f"SELECT id FROM {table} WHERE status = 'RUNNING'")}

    def strike(run: Run) -> float:
        caught = 0
        for _ in range(kills):
            worker.start()
            finished, stale = done(run), running(run)
            # Mid-drain and mid-job: it has finished a few jobs of the backlog and holds a new one.

            def mid_job(finished: int = finished, stale: set[str] = stale) -> bool:
                return done(run) >= finished + 3 and bool(running(run) - stale)

            wait_until(mid_job, timeout=60, every=0.01, what="the worker runs jobs", ignore=())
            worker.kill()
            caught += bool(running(run) - stale)
            run.seconds_of_load(1.0)  # the backlog grows while no worker runs
        run.outcome.extra["kills that cut a running job"] = caught
        worker.start()
        # Recovery is the backlog drained: measured without new posts, it is the worker's own pace.
        run.poster.stop()
        return time.monotonic()

    return execute(stack, f"worker killed (-9) ×{kills} while draining", load, strike)


def kill_redis(stack: Stack, load: Load, down: float = 5.0) -> Outcome:
    """kill -9 Redis for about five seconds, then start it again (empty, as after a crash)."""
    assert stack.redis is not None
    redis = stack.redis

    def strike(run: Run) -> float:
        redis.kill()
        killed = time.monotonic()
        # Presence needs Redis, a socket does not: one opened now must still be accepted.
        refused = handshake(stack.webs[0].ws, stack.world.person("member2").token, timeout=4)
        run.outcome.extra["new socket while Redis is down"] = refused or "accepted"
        if refused:
            run.outcome.problems.append(f"a new socket opened while Redis was down was refused: {refused}")
        while time.monotonic() < killed + down:  # the outage lasts `down` seconds, by definition
            time.sleep(0.1)
        return redis.start()

    return execute(stack, f"Redis killed (-9) for {down:g} s", load, strike)


def restart_postgres(stack: Stack, load: Load, down: float = 2.0) -> Outcome:
    """`pg_ctl stop -m immediate`, down for `down` seconds, then start: no Alvéole process is restarted."""
    assert stack.cluster is not None
    cluster = stack.cluster

    def strike(run: Run) -> float:
        cluster.stop_immediate()
        stopped = time.monotonic()
        # By the clock, not by posts: requests hang while the database is away.
        while time.monotonic() < stopped + down:
            time.sleep(0.1)
        return cluster.start()

    outcome = execute(stack, f"PostgreSQL restarted (immediate stop, down {down:g} s)", load, strike)
    accepted_after = outcome.extra.get("new sockets accepted after (s)")
    if accepted_after is None or accepted_after > WS_ACCEPT_LIMIT:
        outcome.problems.append(
            f"new sockets were not accepted within {WS_ACCEPT_LIMIT:g} s of PostgreSQL being back ({accepted_after})"
        )
    return outcome


def kill_embedded(stack: Stack, load: Load) -> Outcome:
    """The embedded default (SQLite, jobs in-process): kill -9 during a burst of posts, restart."""
    web = stack.webs[0]

    def strike(run: Run) -> float:
        web.proc.kill()
        run.seconds_of_load(0.5)
        return web.start()

    outcome = execute(stack, "embedded server (SQLite) killed (-9) in a burst", load, strike, poster_threads=4)
    path = stack.database_url[len("sqlite:///") :]
    conn = sqlite3.connect(path, timeout=10)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()
    outcome.extra["integrity_check"] = integrity
    if integrity != "ok":
        outcome.problems.append(f"SQLite integrity_check: {integrity}")
    return outcome


def new_space(stack: Stack, sockets: int = 24) -> Outcome:
    """Sockets opened before a space exists receive that space's posts (issue 10, item 1); a person
    added to a private space gets its posts at once, and none once removed."""
    world = stack.world
    outcome = Outcome(fault="sockets opened before a space is created", load=f"{sockets} sockets")
    db = Database(stack.database_url)
    posts_before = db.value("SELECT COALESCE(MAX(id), 0) FROM feed_post")
    stuck_before = frozenset(db.pending_jobs())
    clients = Clients()
    answers: list[Answer] = []
    owner, joiner, added = world.owner, world.person("member5"), world.person("member3")
    web0, web1 = stack.urls()[0], stack.urls()[-1]

    def api(base: str, token: str, method: str, path: str, body: dict | None = None) -> dict:
        answer = call(base, token, method, path, body)
        answers.append(answer)
        if answer.status is None or answer.status >= 300:
            raise AssertionError(f"{method} {path}: {answer.status or answer.error} {answer.body!r}")
        return answer.body or {}

    try:
        opened = open_sockets(clients, stack, sockets)
        started = time.monotonic()
        launch = api(web0, owner.token, "POST", "/spaces", {"name": "Launch", "visibility": "open"})["id"]
        for n in range(3):  # at once: no time for a periodic re-check to help
            api(web1, owner.token, "POST", "/posts", {"space_id": launch, "body": f"Launch {n} @{joiner.handle}"})
        api(web1, joiner.token, "POST", f"/spaces/{launch}/join")
        for n in range(2):
            api(web0, joiner.token, "POST", "/posts", {"space_id": launch, "body": f"Joined {n} @{owner.handle}"})
        room = api(web1, owner.token, "POST", "/spaces", {"name": "War room", "visibility": "private"})["id"]
        api(web0, owner.token, "POST", f"/spaces/{room}/members", {"user_id": added.id})
        for n in range(3):
            api(web0, owner.token, "POST", "/posts", {"space_id": room, "body": f"Room {n} @{added.handle}"})
        # Narrowing too: once removed, member3 gets none of the room's posts.
        api(web1, owner.token, "DELETE", f"/spaces/{room}/members/{added.id}")
        for n in range(2):
            api(web1, owner.token, "POST", "/posts", {"space_id": room, "body": f"After {n}"})
        api(web1, owner.token, "POST", "/posts", {"space_id": world.spaces["Everyone"]["id"], "body": "Marker"})
        idle = Poster(world, stack.urls, rate=1)  # never started: the actions above are the load
        run = Run(stack, Load(sockets=sockets), clients, idle, db, outcome, stuck_before=stuck_before)
        snapshot = settle(run, opened, world.org_id)
        judge(outcome, snapshot, opened, answers, posts_before=posts_before, pending_jobs=run.pending_now(),
              back_at=started)  # fmt: skip
    finally:
        clients.close()
    outcome.logs = [f"{p.log}" for p in stack.procs_all()]
    return outcome
