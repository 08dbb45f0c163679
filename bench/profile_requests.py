"""Where a request's server time goes: cProfile of the load scenarios' requests, in process, on a bench dataset.

    python -m bench.profile_requests --kind postgres --posts 1000000          # after make bench-full
    python -m bench.profile_requests --kind sqlite --posts 10000 --requests 50

Each request is what the load generator sends (a post to the load space, a space's page of 30, a one-word
search), through Django's test client with a member's token: no HTTP server, no event loop, no other load.
Prints, per request kind, the time and queries per request and the split of the profiled time by layer
(each function's own time, grouped by the package it lives in). bench/RESULTS.md quotes it to explain the
misses of issue 17; nothing here is a target.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

# Package path fragments, first match wins: the layer a function's own time is counted in.
LAYERS = (
    ("database driver and wait", ("psycopg", "sqlite3", "{method 'execute'", "{method 'fetch")),
    ("Django templates", ("django/template",)),
    ("Django ORM (build, compile, rows to objects)", ("django/db/",)),
    ("django-ninja and pydantic", ("ninja/", "pydantic")),
    ("Django request, middleware, URLs, auth", ("django/core", "django/middleware", "django/urls", "django/http")),
    ("other Django", ("django/",)),
    ("Alvéole", ("/alveole/",)),
)


def layer_of(filename: str) -> str:
    for name, fragments in LAYERS:
        if any(fragment in filename for fragment in fragments):
            return name
    return "Python and other libraries"


def split_by_layer(stats: Any) -> dict[str, float]:
    """Own time (tottime) per layer, as a share of the total."""
    totals: dict[str, float] = {}
    for (filename, _line, function), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        key = layer_of(filename if filename != "~" else function)
        totals[key] = totals.get(key, 0.0) + tottime
    whole = sum(totals.values()) or 1.0
    return {name: round(100 * seconds / whole, 1) for name, seconds in sorted(totals.items(), key=lambda kv: -kv[1])}


INNER = """
import cProfile, json, pstats, time
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from alveole.accounts.actions import create_token
from alveole.spaces.models import Space, SpaceMembership
from bench.profile_requests import split_by_layer

space = Space.objects.get(name={load_space!r}, organisation__name='Bench org ({posts} posts)')
author = SpaceMembership.objects.filter(space=space).order_by('user_id').first().user
reader_space = SpaceMembership.objects.filter(user=author).exclude(space=space).order_by('space_id').first().space_id
token = create_token(author, name='bench-profile')[1]
client = Client(HTTP_AUTHORIZATION='Bearer ' + token, SERVER_NAME='127.0.0.1')


def post(n):
    body = {{'space_id': space.pk, 'body': 'bench-load post %d about #benchmarks' % n}}
    return client.post('/api/v1/posts', body, content_type='application/json')


kinds = {{
    'create_post': post,
    'space_page': lambda n: client.get('/api/v1/spaces/%d/posts?limit=30' % reader_space),
    'search': lambda n: client.get('/api/v1/search?q=topic%d&limit=20' % (n % 10)),
}}
expected = {{'create_post': 201, 'space_page': 200, 'search': 200}}
out = {{}}
for kind in {kinds!r}:
    call = kinds[kind]
    for n in range(10):  # warm: connections, caches, imported code
        assert call(n).status_code == expected[kind], kind
    with CaptureQueriesContext(connection) as queries:
        call(10)
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    for n in range({requests}):
        call(n)
    profile.disable()
    plain_started = time.perf_counter()
    for n in range({requests}):
        call(n)
    plain = (time.perf_counter() - plain_started) / {requests}
    out[kind] = {{
        'ms_per_request': round(1000 * plain, 2),
        'queries': len(queries),
        'layers_pct': split_by_layer(pstats.Stats(profile)),
    }}
print(json.dumps(out))
"""


def main(argv: list[str] | None = None) -> None:
    from . import prepare, run

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kind", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200, help="profiled requests per kind (and as many unprofiled)")
    parser.add_argument("--kinds", nargs="+", default=["create_post", "space_page", "search"])
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"))
    args = parser.parse_args(argv)
    env = run.dataset_env(args.kind, args.posts, args)
    code = INNER.format(load_space=prepare.LOAD_SPACE, posts=args.posts, kinds=args.kinds, requests=args.requests)
    try:
        out = prepare.run_django(code, env)
    finally:
        prepare.cleanup(env)
    result = json.loads(out.strip().splitlines()[-1])
    print(json.dumps({"dataset": f"{args.kind}, {args.posts:,} posts", **result}, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
