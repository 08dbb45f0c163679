"""The machine's limits, measured with the tools' own load generators (no Python in the loop).

An Alvéole figure means little alone: 300 posts/s is good or bad depending on
what PostgreSQL, Redis and a bare Django do on the same machine. Each function
here measures one of those references and returns its figures:

- `pgbench_select_only`: PostgreSQL's own `pgbench -S` (one primary-key read per
  transaction) on a separate database: the ceiling for any read path;
- `pgbench_insert_post`: pgbench running the SQL of one post creation in
  Alvéole for the create-post scenario's body (its #topic upserted and linked,
  the post row, the post's and the topic's search entries, the event row under
  the organisation's advisory lock; no job row, as for a post without mentions)
  against an Alvéole database, without Python or HTTP;
- `redis_publish`: `redis-benchmark` publishing live-event-sized messages;
- `cleanup`: removes what bench.bare_django wrote (the bare Django reference).

Every function raises RuntimeError when the tool fails or prints something we
cannot read: a reference that silently says 0 would make every ratio a lie.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import sqlite3
import subprocess
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

# The first key of Alvéole's advisory locks (alveole/live/publish.py LOCK_NAMESPACE, "ALV").
LOCK_NAMESPACE = 0x41_4C_56
PGBENCH_DATABASE = "alveole_bench_pgbench"
PGBENCH_SCALE = 10
PGBENCH_MARK = "pgbench-insert-post"  # body prefix of the posts pgbench_insert_post writes
PGBENCH_TOPIC = "benchmarks"  # the topic of the create-post scenario's body (bench.scenarios.POST_BODY)
BARE_DJANGO_MARK = "bare-django"  # body prefix of the posts bench.bare_django writes
# What create_post enqueues after commit (alveole/feed/actions.py: after_commit(post_published, post.pk)).
POST_JOB_PATH = "alveole.notifications.jobs.post_published"
REDIS_CHANNEL = "alveole:bench-ref"


# --- parsing (pure, unit-tested) -------------------------------------------------------


def parse_pgbench(text: str) -> dict:
    """Read pgbench's summary (stdout; progress lines may be mixed in).

    Returns tps (without connection time), latency_avg_ms, transactions, failed and
    the per-interval tps of the -P progress lines (to see warm-up and stalls).
    """
    tps = re.search(r"^tps = ([\d.]+) \(without initial connection time\)", text, re.M)
    latency = re.search(r"^latency average = ([\d.]+) ms", text, re.M)
    processed = re.search(r"^number of transactions actually processed: (\d+)", text, re.M)
    if not (tps and latency and processed):
        raise RuntimeError("cannot read pgbench's output (no tps / latency average / transactions):\n" + text[-2000:])
    failed = re.search(r"^number of failed transactions: (\d+)", text, re.M)
    result = {
        "tps": float(tps.group(1)),
        "latency_avg_ms": float(latency.group(1)),
        "transactions": int(processed.group(1)),
        "failed": int(failed.group(1)) if failed else 0,
        "progress_tps": [float(v) for v in re.findall(r"^progress: [\d.]+ s, ([\d.]+) tps", text, re.M)],
    }
    if result["transactions"] == 0 or result["tps"] <= 0:
        raise RuntimeError("pgbench processed no transaction:\n" + text[-2000:])
    return result


def parse_redis_benchmark(text: str) -> dict:
    """Read `redis-benchmark -q` output: the last "<test>: N requests per second" line.

    The tool redraws its progress line with carriage returns, so lines are split on both.
    """
    rps = p50 = None
    for line in re.split(r"[\r\n]+", text):
        found = re.search(r": ([\d.]+) requests per second(?:, p50=([\d.]+) msec)?", line)
        if found:
            rps = float(found.group(1))
            p50 = float(found.group(2)) if found.group(2) else None
    if rps is None or rps <= 0:
        raise RuntimeError("cannot read redis-benchmark's output (no 'requests per second'):\n" + text[-2000:])
    return {"rps": rps, "p50_ms": p50}


# --- helpers ------------------------------------------------------------------------------


def _run(command: list[str], *, timeout: float, env: dict[str, str] | None = None, shown: str = "") -> str:
    """Run a tool; its stdout and stderr joined (pgbench prints progress on stderr), or RuntimeError.

    `shown` is the command as errors print it (without a password).
    """
    shown = shown or shlex.join(command)
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
    except FileNotFoundError as exc:
        raise RuntimeError(f"{command[0]} is not installed") from exc
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"{shown} did not finish within {timeout:.0f} s") from exc
    if done.returncode != 0:
        raise RuntimeError(f"{shown} failed ({done.returncode}):\n{(done.stderr or done.stdout)[-2000:]}")
    return done.stdout + "\n" + done.stderr


def _pg_connection_args(url: str) -> tuple[list[str], dict[str, str], str]:
    """(-h/-p/-U arguments, environment with PGPASSWORD, database name) from a postgres:// URL."""
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        raise RuntimeError(f"not a PostgreSQL URL: {url!r}")
    args = [
        "-h",
        parsed.hostname or "127.0.0.1",
        "-p",
        str(parsed.port or 5432),
        "-U",
        unquote(parsed.username or "postgres"),
    ]
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = unquote(parsed.password)
    return args, env, parsed.path.lstrip("/")


def _with_database(url: str, name: str) -> str:
    return urlparse(url)._replace(path=f"/{name}").geturl()


def _pgbench(url: str, database: str, options: list[str], seconds: float, clients: int) -> tuple[dict, str]:
    """Run pgbench for `seconds` (whole seconds: -T takes an integer) and parse it; (figures, command)."""
    connection, env, _name = _pg_connection_args(url)
    duration = max(1, round(seconds))
    command = [
        "pgbench", *connection, "-n", *options, "-c", str(clients), "-j", str(min(2, clients)),
        "-T", str(duration), "-P", str(max(1, duration // 10)), database,
    ]  # fmt: skip
    return parse_pgbench(_run(command, timeout=duration + 120, env=env)), shlex.join(command)


def _ensure_pgbench_database(admin_url: str) -> None:
    """Create and initialise alveole_bench_pgbench once (scale 10: 1M accounts); reuse it afterwards."""
    import psycopg

    with psycopg.connect(_with_database(admin_url, "postgres"), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (PGBENCH_DATABASE,)).fetchone():
            conn.execute(f'CREATE DATABASE "{PGBENCH_DATABASE}"')
    with psycopg.connect(_with_database(admin_url, PGBENCH_DATABASE), autocommit=True) as conn:
        ready = conn.execute("SELECT to_regclass('pgbench_branches') IS NOT NULL").fetchone()
        if ready and ready[0]:
            branches = conn.execute("SELECT count(*) FROM pgbench_branches").fetchone()
            if branches and branches[0] == PGBENCH_SCALE:
                return
    connection, env, _name = _pg_connection_args(admin_url)
    _run(["pgbench", *connection, "-i", "-s", str(PGBENCH_SCALE), "-q", PGBENCH_DATABASE], timeout=600, env=env)


# --- PostgreSQL ----------------------------------------------------------------------------


def pgbench_select_only(admin_url: str, seconds: float, clients: int = 8) -> dict:
    """PostgreSQL's read ceiling here: `pgbench -S` (one indexed SELECT per transaction).

    It runs on its own database (alveole_bench_pgbench, created and initialised on
    first use) so that it never touches an Alvéole dataset.
    """
    _ensure_pgbench_database(admin_url)
    figures, command = _pgbench(admin_url, PGBENCH_DATABASE, ["-S"], seconds, clients)
    return {
        "tps": figures["tps"],
        "latency_avg_ms": figures["latency_avg_ms"],
        "clients": clients,
        "seconds": float(max(1, round(seconds))),
        "command": command,
    }


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def insert_post_script(author_full_name: str, author_handle: str) -> str:
    """The SQL of one post creation, as pgbench script (variables :org_id, :space_id, :author_id).

    Taken from what POST /api/v1/posts runs for the create-post scenario's body (a #topic, no
    mention or file) — alveole.feed.actions.create_post, alveole.search.receivers and
    alveole.live.publish._insert_next — captured with Django's query log: the transaction upserts
    the topic, inserts the post, upserts its search entry, links it to the topic, gives the topic
    its search entry when it has none, takes the organisation's advisory lock and inserts the
    event numbered MAX(seq) + 1. (A notification job is queued only for posts that mention
    someone.) The reads before (token, space, membership) are left out: they are product logic,
    and pgbench -S measures reads. The author's name and handle go into the event's JSON as the
    app puts them there.
    """
    text = f"{PGBENCH_MARK}: post about #{PGBENCH_TOPIC}"
    html = (
        f'<p>{PGBENCH_MARK}: post about <a href="/topics/{PGBENCH_TOPIC}/" class="topic" '
        f'rel="noopener noreferrer nofollow">#{PGBENCH_TOPIC}</a></p>\n'
    )
    # The event's data as the app serialises it (json.dumps), with %s where PostgreSQL fills values in.
    data = json.dumps(
        {
            "post_id": "@1", "space_id": "@2",
            "author": {"id": "@3", "full_name": author_full_name, "handle": author_handle},
            "kind": "update", "body": text, "body_html": html, "created_at": "@4",
            "is_share": False, "shared_post_id": None, "attachment_ids": [],
        }
    ).replace("%", "%%")  # fmt: skip
    for n in range(1, 5):
        data = data.replace(f'"@{n}"', "%s")
    columns = (
        '"organisation_id", "space_id", "author_id", "kind", "body", "body_html", "is_share", "shared_post_id", '
        '"created_at", "edited_at", "deleted_at", "pinned_at", "answered_at", "comment_count", "reaction_count", '
        '"hidden_at", "hidden_by_id", "review", "reviewed_by_id", "reviewed_at", "refusal_reason", "published_at", '
        '"label_id", "idempotency_key"'
    )
    entry_columns = (
        '"organisation_id", "kind", "object_id", "space_id", "shown", "label_id", "author_id", "post_id", '
        '"has_file", "created_at", "language", "title", "body", "link"'
    )
    topic = _sql_text(PGBENCH_TOPIC)
    return "\n".join(
        [
            "BEGIN;",
            f'INSERT INTO "feed_topic" ("organisation_id", "name", "label", "created_at") VALUES (:org_id, {topic}, '
            f'{topic}, now()) ON CONFLICT ("organisation_id", "name") DO UPDATE SET "name" = EXCLUDED."name" '
            'RETURNING "feed_topic"."id" AS topic_id \\gset',
            f"INSERT INTO \"feed_post\" ({columns}) VALUES (:org_id, :space_id, :author_id, 'update', "
            f"{_sql_text(text)}, E{_sql_text(html.replace(chr(10), chr(92) + 'n'))}, false, NULL, now(), "
            "NULL, NULL, NULL, NULL, 0, 0, NULL, NULL, 'published', NULL, NULL, '', now(), NULL, NULL) "
            'RETURNING "feed_post"."id" AS post_id \\gset',
            f"INSERT INTO \"search_entry\" ({entry_columns}) VALUES (:org_id, 'post', :post_id, :space_id, true, "
            f"NULL, :author_id, :post_id, false, now(), 'en', '', {_sql_text(text)}, '/posts/' || :post_id || '/') "
            'ON CONFLICT ("kind", "object_id") DO UPDATE SET "organisation_id" = EXCLUDED."organisation_id", '
            '"space_id" = EXCLUDED."space_id", "label_id" = EXCLUDED."label_id", "post_id" = EXCLUDED."post_id", '
            '"shown" = EXCLUDED."shown", "author_id" = EXCLUDED."author_id", "created_at" = EXCLUDED."created_at", '
            '"language" = EXCLUDED."language", "body" = EXCLUDED."body", "link" = EXCLUDED."link", '
            '"title" = EXCLUDED."title";',
            'INSERT INTO "feed_post_topics" ("post_id", "topic_id") VALUES (:post_id, :topic_id) '
            "ON CONFLICT DO NOTHING;",
            f"INSERT INTO \"search_entry\" ({entry_columns}) VALUES (:org_id, 'topic', :topic_id, NULL, true, NULL, "
            f"NULL, NULL, false, now(), '', {_sql_text('#' + PGBENCH_TOPIC)}, {topic}, "
            f"{_sql_text(f'/topics/{PGBENCH_TOPIC}/')}) ON CONFLICT DO NOTHING;",
            f"SELECT pg_advisory_xact_lock({LOCK_NAMESPACE}, :org_id);",
            'INSERT INTO "live_event" (organisation_id, seq, type, audience, space_id, user_id, data, created_at) '
            "SELECT :org_id, COALESCE(MAX(seq), 0) + 1, 'post.created', 'space', :space_id, NULL, "
            f"CAST(format({_sql_text(data)}, :post_id, :space_id, :author_id, to_json(now())) AS jsonb), now() "
            'FROM "live_event" WHERE organisation_id = :org_id RETURNING id, seq;',
            "COMMIT;",
            "",
        ]
    )


def pgbench_insert_post(database_url: str, seconds: float, clients: int = 8) -> dict:
    """PostgreSQL's ceiling for publishing posts: the post-creation SQL, run by pgbench.

    The database must be an Alvéole one filled by bench.dataset. The author is the
    first member of the first space, as one busy space is the worst case for the
    organisation's event lock. Every row written is deleted afterwards.
    """
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT s.id, s.organisation_id, u.id, u.full_name, u.handle FROM spaces_space s "
            "JOIN spaces_spacemembership m ON m.space_id = s.id JOIN accounts_user u ON u.id = m.user_id "
            "WHERE s.archived_at IS NULL AND u.is_active AND u.organisation_id = s.organisation_id "
            "ORDER BY s.id, m.id LIMIT 1"
        ).fetchone()
    if row is None:
        raise RuntimeError(f"no space with a member in {database_url}: fill it with bench.dataset first")
    space_id, org_id, author_id, full_name, handle = row
    script = insert_post_script(full_name, handle)
    _connection, _env, database = _pg_connection_args(database_url)
    delete_marked(database_url, PGBENCH_MARK)  # leftovers of an interrupted run
    with tempfile.TemporaryDirectory(prefix="alveole-pgbench-") as tmp:
        path = Path(tmp) / "insert_post.sql"
        path.write_text(script)
        variables = ["-D", f"org_id={org_id}", "-D", f"space_id={space_id}", "-D", f"author_id={author_id}"]
        try:
            figures, command = _pgbench(database_url, database, ["-f", str(path), *variables], seconds, clients)
        finally:
            removed = delete_marked(database_url, PGBENCH_MARK)
    if removed["posts"] == 0 or removed["events"] != removed["posts"]:
        raise RuntimeError(f"pgbench reported {figures['transactions']} transactions but the rows say {removed}")
    return {
        "tps": figures["tps"],
        "latency_avg_ms": figures["latency_avg_ms"],
        "clients": clients,
        "seconds": float(max(1, round(seconds))),
        "command": command.replace(str(path), "insert_post.sql"),
        "script": script,
    }


def delete_marked(database_url: str, mark: str) -> dict[str, int]:
    """Delete the posts whose body starts with `mark`, their post.created events, jobs, topic links and
    search entries (the topics stay, as they do after the product's own posts are deleted).

    Works on PostgreSQL (postgres:// URL) and SQLite (sqlite:////path URL); returns what it deleted.
    """
    if database_url.startswith("sqlite:"):
        import dj_database_url  # the app's own parser: sqlite:////abs/path and sqlite:///relative/path

        path = dj_database_url.parse(database_url)["NAME"]
        post_id, job_post_id, mark_param = (
            "json_extract(data, '$.post_id')",
            "json_extract(args_kwargs, '$.args[0]')",
            "?",
        )
        conn: Any = sqlite3.connect(path, timeout=20)
    else:
        import psycopg

        post_id, job_post_id, mark_param = "(data->>'post_id')::bigint", "(args_kwargs->'args'->>0)::bigint", "%s"
        conn = psycopg.connect(database_url)
    marked = f"(SELECT id FROM feed_post WHERE body LIKE {mark_param})"
    statements = {
        "events": f"DELETE FROM live_event WHERE type = 'post.created' AND {post_id} IN {marked}",
        "jobs": f"DELETE FROM django_tasks_database_dbtaskresult WHERE task_path = {mark_param} "
        f"AND {job_post_id} IN {marked}",
        "topic_links": f"DELETE FROM feed_post_topics WHERE post_id IN {marked}",
        "search_entries": f"DELETE FROM search_entry WHERE kind = 'post' AND object_id IN {marked}",
        "posts": f"DELETE FROM feed_post WHERE body LIKE {mark_param}",
    }
    counts = {}
    try:
        cursor = conn.cursor()
        for name, sql in statements.items():
            params = (POST_JOB_PATH, mark + "%") if name == "jobs" else (mark + "%",)
            cursor.execute(sql, params)
            counts[name] = cursor.rowcount
        conn.commit()
    finally:
        conn.close()
    return counts


def cleanup(database_url: str) -> dict[str, int]:
    """Remove the posts (with their events, jobs, topic links and search entries) that bench.bare_django wrote."""
    return delete_marked(database_url, BARE_DJANGO_MARK)


# --- Redis ---------------------------------------------------------------------------------


def live_event_payload() -> str:
    """A ~200-byte message shaped like what alveole.live.publish sends for a new post (compact JSON)."""
    return json.dumps(
        {
            "kind": "event", "org": 1, "seq": 123456, "type": "post.created", "audience": "space", "space": 7,
            "user": None,
            "data": {"post_id": 1000001, "author": {"id": 42, "full_name": "Bench Person 41"},
                     "body": "Update from the team"},
        },
        separators=(",", ":"),
    )  # fmt: skip


def redis_publish(redis_url: str, requests: int = 200_000, clients: int = 20) -> dict:
    """Redis's ceiling for live events: `redis-benchmark` PUBLISHing event-sized messages (no subscriber)."""
    parsed = urlparse(redis_url)
    if parsed.scheme != "redis":
        raise RuntimeError(f"not a redis:// URL: {redis_url!r}")
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 6379
    try:
        socket.create_connection((host, port), timeout=3).close()
    except OSError as exc:  # redis-benchmark waits forever when nothing listens
        raise RuntimeError(f"Redis does not answer at {host}:{port}: {exc}") from exc
    command = ["redis-benchmark", "-h", host, "-p", str(port), "--dbnum", parsed.path.strip("/") or "0"]
    shown = list(command)
    if parsed.password:
        command += ["-a", unquote(parsed.password)]
        shown += ["-a", "***"]
        if parsed.username:
            command += ["--user", unquote(parsed.username)]
            shown += ["--user", unquote(parsed.username)]
    payload = live_event_payload()
    tail = ["-n", str(requests), "-c", str(clients), "-q", "PUBLISH", REDIS_CHANNEL, payload]
    figures = parse_redis_benchmark(_run(command + tail, timeout=60 + requests / 1000, shown=shlex.join(shown + tail)))
    return {
        "rps": figures["rps"],
        "clients": clients,
        "requests": requests,
        "payload_bytes": len(payload.encode()),
        "command": shlex.join(shown + tail),
    }
