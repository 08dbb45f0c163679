"""The machine-limit references: the tools' output is read right, failures are loud, and the
bare Django endpoint and the pgbench script write what the app writes (and clean it up)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from urllib.parse import quote, urlparse, urlunparse

import pytest

from bench import references, scenarios
from bench.feed_latency import ROOT, free_port

# Captured from `pgbench -S -n -c 8 -j 2 -T 3 -P 1` (PostgreSQL 15): stdout, then the progress lines of stderr.
PGBENCH_OUTPUT = """\
pgbench (15.20 (Debian 15.20-0+deb12u1))
transaction type: <builtin: select only>
scaling factor: 10
query mode: simple
number of clients: 8
number of threads: 2
maximum number of tries: 1
duration: 3 s
number of transactions actually processed: 107549
number of failed transactions: 0 (0.000%)
latency average = 0.198 ms
latency stddev = 0.440 ms
initial connection time = 13.804 ms
tps = 35753.846358 (without initial connection time)

progress: 1.0 s, 31202.9 tps, lat 0.230 ms stddev 0.435, 0 failed
progress: 2.0 s, 35497.4 tps, lat 0.201 ms stddev 0.458, 0 failed
progress: 3.0 s, 40704.4 tps, lat 0.170 ms stddev 0.414, 0 failed
"""

# Captured from `redis-benchmark -n 20000 -c 20 -q PUBLISH alveole:bench-ref <payload>` (Redis 7.0): the
# progress line is redrawn with carriage returns (its padding shortened here).
_COMMAND = (
    'PUBLISH alveole:bench-ref {"kind":"event","org":1,"seq":123456,"type":"post.created","audience":"space",'
    '"space":7,"user":null,"data":{"post_id":1000001,"author":{"id":42,"full_name":"Bench Person 41"},'
    '"body":"Update from the team"}}'
)
REDIS_BENCHMARK_OUTPUT = (
    f" \r{_COMMAND}: rps=0.0 (overall: 0.0) avg_msec=-nan (overall: -nan)\r   "
    f"\r{_COMMAND}: rps=60072.0 (overall: 59832.7) avg_msec=0.211 (overall: 0.211)\r   "
    f"\r{_COMMAND}: 60422.96 requests per second, p50=0.207 msec\n"
)


def test_pgbench_output_is_read():
    figures = references.parse_pgbench(PGBENCH_OUTPUT)
    assert figures["tps"] == pytest.approx(35753.846358)
    assert figures["latency_avg_ms"] == pytest.approx(0.198)
    assert figures["transactions"] == 107549 and figures["failed"] == 0
    assert figures["progress_tps"] == [31202.9, 35497.4, 40704.4]


def test_redis_benchmark_output_is_read():
    figures = references.parse_redis_benchmark(REDIS_BENCHMARK_OUTPUT)
    assert figures == {"rps": 60422.96, "p50_ms": 0.207}


@pytest.mark.parametrize("parse", [references.parse_pgbench, references.parse_redis_benchmark])
@pytest.mark.parametrize(
    "text",
    [
        "",
        "Could not connect to Redis at 127.0.0.1:6399: Connection refused\n",
        'pgbench: error: connection to server at "127.0.0.1", port 5439 failed: Connection refused\n',
        REDIS_BENCHMARK_OUTPUT.rsplit("\r", 1)[0],  # only the progress lines: the run never finished
    ],
)
def test_unreadable_output_raises(parse, text):
    with pytest.raises(RuntimeError, match="cannot read"):
        parse(text)


def test_a_run_that_did_nothing_is_not_a_figure():
    idle = PGBENCH_OUTPUT.replace("processed: 107549", "processed: 0").replace("35753.846358", "0.000000")
    with pytest.raises(RuntimeError, match="no transaction"):
        references.parse_pgbench(idle)
    with pytest.raises(RuntimeError, match="cannot read"):
        references.parse_redis_benchmark(REDIS_BENCHMARK_OUTPUT.replace("60422.96", "0.00"))


def test_a_failing_or_missing_tool_raises():
    with pytest.raises(RuntimeError, match=r"failed \(3\):\nboom"):
        references._run([sys.executable, "-c", "import sys; sys.stderr.write('boom'); sys.exit(3)"], timeout=30)
    with pytest.raises(RuntimeError, match="not installed"):
        references._run(["alveole-no-such-benchmark-tool"], timeout=30)


def test_redis_publish_fails_fast_when_nothing_listens():
    # redis-benchmark itself would wait forever.
    with pytest.raises(RuntimeError, match="does not answer"):
        references.redis_publish(f"redis://127.0.0.1:{free_port()}/0", requests=10)


def test_the_insert_post_script_writes_the_apps_rows():
    """Table, columns and lock key come from the app: a migration that changes them shows up here."""
    from alveole.feed.models import Post, Topic
    from alveole.live.models import Event
    from alveole.live.publish import LOCK_NAMESPACE
    from alveole.search.models import Entry

    script = references.insert_post_script("Ann O'Hara", "ann")
    assert references.LOCK_NAMESPACE == LOCK_NAMESPACE
    assert f"pg_advisory_xact_lock({LOCK_NAMESPACE}, :org_id)" in script
    inserts = [line for line in script.splitlines() if line.startswith("INSERT INTO")]
    # The scenario's post: its topic, the post, its search entry, the link, the topic's entry, the event;
    # no notification job (only mentions queue one).
    models = [Topic, Post, Entry, Post.topics.through, Entry, Event]
    assert [line.split('"')[1] for line in inserts] == [m._meta.db_table for m in models]
    for model, line in zip(models, inserts, strict=True):
        listed = {c.strip(' "') for c in line.split("(", 1)[1].split(")", 1)[0].split(",")}
        assert listed == {f.column for f in model._meta.concrete_fields} - {"id"}
    assert f"'{references.PGBENCH_TOPIC}'" in script and scenarios.POST_BODY.endswith(f"#{references.PGBENCH_TOPIC}")
    assert "'Ann O''Hara'" not in script and '"full_name": "Ann O\'\'Hara"' in script  # quoted once, inside JSON


# --- against a real database: the bare Django endpoint (and pgbench on PostgreSQL) ----------------


def _subprocess_env(var_dir: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ALVEOLE_", "DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"))
    }
    env.update(SECRET_KEY="bench-tests-" + "k" * 50, ALVEOLE_VAR_DIR=var_dir, PYTHONPATH=str(ROOT))
    return env


@pytest.fixture(scope="module")
def filled_database() -> Iterator[tuple[dict[str, str], dict]]:
    """A database filled by bench.dataset (10 posts, 5 users, 1 space): SQLite, or a fresh
    PostgreSQL database in the run where ALVEOLE_TEST_DATABASE_URL names one."""
    var_dir = tempfile.mkdtemp(prefix="alveole-bench-ref-")
    env = _subprocess_env(var_dir)
    base = os.environ.get("ALVEOLE_TEST_DATABASE_URL", "")
    admin = name = ""
    if base.startswith("postgres"):
        import psycopg

        name = f"alveole_benchref_{uuid.uuid4().hex[:8]}"
        admin = urlunparse(urlparse(base)._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = urlunparse(urlparse(base)._replace(path=f"/{name}"))
    else:
        env["DATABASE_URL"] = f"sqlite:///{var_dir}/bench.sqlite3"
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bench.dataset", "--posts", "10", "--users", "5", "--spaces", "1", "--json"],
            env=env, cwd=ROOT, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        yield env, json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        if name:
            import psycopg

            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(var_dir, ignore_errors=True)


def _count(database_url: str, sql: str) -> int:
    if database_url.startswith("sqlite:"):
        with sqlite3.connect(urlparse(database_url).path[1:]) as conn:
            return conn.execute(sql).fetchone()[0]
    import psycopg

    with psycopg.connect(database_url) as conn:
        row = conn.execute(sql).fetchone()
        assert row is not None
        return row[0]


def _request(url: str, payload: dict | None = None) -> tuple[int, object]:
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


# The product's page for one viewer, through its own API (Django's test client, in a subprocess on that
# database); then the same viewer posts the scenario's body, and the rows that post left are compared with
# the bare reference's post, before the product's post is deleted again.
PRODUCT_SIDE = """
import json, os, django
os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'alveole.settings'); django.setup()
from django.test import Client
from alveole.accounts.actions import create_token
from alveole.accounts.models import User
from alveole.feed.models import Post
from alveole.search.models import Entry
_token, secret = create_token(User.objects.get(pk={viewer}), name='bench test')
client = Client(HTTP_HOST='localhost', HTTP_AUTHORIZATION='Bearer ' + secret)
page = client.get('/api/v1/spaces/{space}/posts?limit=30').json()
from alveole.live.models import Event
last_event = Event.objects.order_by('-id').values_list('id', flat=True).first() or 0
made = client.post('/api/v1/posts', {{'space_id': {space}, 'body': {body!r}}}, content_type='application/json').json()
rows = {{}}
for side, pk in (('bare', {bare}), ('product', made['id'])):
    entry = Entry.objects.filter(kind='post', object_id=pk).values('language', 'shown', 'space_id', 'label_id',
                                                                  'has_file', 'title')
    topics = Post.objects.get(pk=pk).topics.values_list('name', flat=True)
    rows[side] = {{'entry': list(entry), 'topics': sorted(topics)}}
Post.objects.filter(pk=made['id']).delete()
Event.objects.filter(id__gt=last_event).delete()  # the dataset as it was, but for the bare reference's post
print(json.dumps({{'page': page, 'rows': rows}}))
"""

# What a card must show the same in the bare reference's page and in the product's.
CARD_FIELDS = (
    "id", "space", "author", "kind", "body", "body_html", "edited_at", "pinned", "answered", "hidden", "review",
    "refusal_reason", "comment_count", "reactions", "my_reaction", "attachments", "unread", "is_share",
    "shared_post", "shared_post_unavailable", "label_id", "confidential",
)  # fmt: skip


def test_the_bare_django_endpoint_does_the_products_work(filled_database):
    env, data = filled_database
    url = env["DATABASE_URL"]
    space_id = data["space_ids"][0]
    author_id = _count(url, f"SELECT min(user_id) FROM spaces_spacemembership WHERE space_id = {space_id}")
    viewer_id = _count(url, f"SELECT max(user_id) FROM spaces_spacemembership WHERE space_id = {space_id}")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "bench.bare_django:application", "--port", str(port),
         "--log-level", "warning"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    page_url = f"{base}/spaces/{space_id}/posts?viewer={viewer_id}"
    try:
        deadline = time.time() + 20
        while True:
            try:
                urllib.request.urlopen(page_url, timeout=2).close()
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.time() > deadline or server.poll() is not None:
                    server.kill()
                    _out, errors = server.communicate()
                    pytest.fail("bench.bare_django did not start: " + errors.decode())
                time.sleep(0.1)
        body = scenarios.POST_BODY.replace("{n}", "1")
        status, created = _request(f"{base}/posts", {"space_id": space_id, "author_id": author_id, "body": body})
        assert status == 201 and isinstance(created, dict)
        status, page = _request(f"{page_url}&before=")
        assert status == 200 and isinstance(page, dict) and len(page["items"]) == 11 and page["pinned"] == []
        items = page["items"]
        newest = items[0]
        assert newest["id"] == created["id"] and newest["body"] == f"bare-django: {body}"
        assert newest["author"]["handle"] and newest["space"]["id"] == space_id and newest["space"]["name"]
        assert [p["created_at"] for p in items] == sorted((p["created_at"] for p in items), reverse=True)
        status, older = _request(f"{page_url}&before={quote(newest['created_at'])}")
        assert status == 200 and isinstance(older, dict)
        assert [p["id"] for p in older["items"]] == [p["id"] for p in items[1:]]
        assert _request(f"{page_url}&before=yesterday")[0] == 400
        assert _request(f"{base}/spaces/{space_id}/posts")[0] == 400  # no viewer
        assert _request(f"{base}/posts", {"space_id": space_id})[0] == 400
    finally:
        server.terminate()
        server.wait(10)
    # The post was written as the product writes it: its topic upserted, linked and indexed, the event numbered.
    post_id = created["id"]
    topic = _count(url, "SELECT id FROM feed_topic WHERE name = 'benchmarks'")
    assert _count(url, f"SELECT count(*) FROM feed_post_topics WHERE post_id = {post_id} AND topic_id = {topic}") == 1
    assert _count(url, f"SELECT count(*) FROM search_entry WHERE kind = 'post' AND object_id = {post_id}") == 1
    assert _count(url, f"SELECT count(*) FROM search_entry WHERE kind = 'topic' AND object_id = {topic}") == 1
    assert 'href="/topics/benchmarks/"' in newest["body_html"]
    # The bare page shows what the product's page shows, card for card, and its post left the same rows.
    code = PRODUCT_SIDE.format(viewer=viewer_id, space=space_id, body="bench-load " + body, bare=post_id)
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    product_side = json.loads(done.stdout.strip().splitlines()[-1])
    product = product_side["page"]
    assert product_side["rows"]["bare"] == product_side["rows"]["product"]
    assert product_side["rows"]["bare"]["topics"] == ["benchmarks"]
    assert [{k: card[k] for k in CARD_FIELDS} for card in product["items"]] == [
        {k: card[k] for k in CARD_FIELDS} for card in items
    ]
    assert any(card["reactions"] for card in items)  # the comparison covered reactions
    seq = "SELECT max(seq) FROM live_event WHERE data LIKE '%bare-django: post 1%'"
    if not url.startswith("sqlite:"):
        seq = seq.replace("data LIKE", "data::text LIKE")
    assert _count(url, seq) == 1  # the organisation's first event
    assert references.cleanup(url) == {
        "events": 1, "jobs": 0, "topic_links": 1, "search_entries": 1, "posts": 1,
    }  # fmt: skip
    assert _count(url, "SELECT count(*) FROM feed_post") == 10
    assert _count(url, "SELECT count(*) FROM django_tasks_database_dbtaskresult") == 0


@pytest.mark.postgres
def test_pgbench_insert_post_runs_the_script_and_leaves_the_dataset_as_it_was(filled_database):
    env, _data = filled_database
    url = env["DATABASE_URL"]
    if not url.startswith("postgres"):
        pytest.skip("runs with ALVEOLE_TEST_DATABASE_URL (PostgreSQL)")
    if shutil.which("pgbench") is None:
        pytest.skip("pgbench is not installed")
    rows = "SELECT (SELECT count(*) FROM feed_post_topics) * 1000000 + (SELECT count(*) FROM search_entry)"
    before = _count(url, rows)
    topic_before = _count(
        url, f"SELECT count(*) FROM search_entry WHERE kind = 'topic' AND body = '{references.PGBENCH_TOPIC}'"
    )
    figures = references.pgbench_insert_post(url, seconds=1, clients=2)
    assert figures["tps"] > 0 and figures["latency_avg_ms"] > 0 and figures["clients"] == 2
    assert "-f insert_post.sql" in figures["command"] and "pg_advisory_xact_lock" in figures["script"]
    assert _count(url, "SELECT count(*) FROM feed_post") == 10
    assert _count(url, "SELECT count(*) FROM live_event") == 0
    topic = _count(url, f"SELECT count(*) FROM feed_topic WHERE name = '{references.PGBENCH_TOPIC}'")
    assert topic == 1 and _count(url, rows) == before + (0 if topic_before else 1)  # the topic's entry stays


@pytest.mark.redis
def test_redis_publish_measures(redis_url):
    if shutil.which("redis-benchmark") is None:
        pytest.skip("redis-benchmark is not installed")
    figures = references.redis_publish(redis_url, requests=2000, clients=4)
    assert figures["rps"] > 0 and figures["requests"] == 2000 and 150 < figures["payload_bytes"] < 250
    assert "PUBLISH alveole:bench-ref" in figures["command"]


def test_importing_bare_django_leaves_django_alone():
    """A harness imports cleanup from it: Django is configured only when `application` is looked up."""
    code = "import bench.bare_django as b; from django.conf import settings; print(settings.configured, b.cleanup)"
    env = _subprocess_env(tempfile.gettempdir())
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("False ")
