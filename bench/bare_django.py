"""The "bare Django endpoint" reference: the product's two hot SQL paths behind Django, and nothing else.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alveole_bench_10000 \\
        python -m uvicorn bench.bare_django:application --port 8200 [--workers N]

Environment:
- DATABASE_URL (required): an Alvéole database, migrated and filled by bench.dataset;
  postgres://… (psycopg pool, as alveole/settings.py configures it) or
  sqlite:////absolute/path.sqlite3 (WAL, IMMEDIATE transactions, as the app);
- ALVEOLE_DB_POOL_MIN / ALVEOLE_DB_POOL_MAX (optional, default 2 / 10): the pool's size, as for the app.
Django is configured (settings.configure) when `application` is first looked up, not at
import: a harness can `from bench.bare_django import cleanup` without configuring Django.

No middleware, no authentication, no sessions, no templates, DEBUG off: what is
left is the ASGI server, Django's request/response cycle, a thread per sync view
(as for the app's views) and the database. Comparing it with Alvéole on the same
endpoints tells how much the product's own work costs.

- POST /posts {"space_id", "author_id", "body"} → 201 {"id"}: the inserts of a post
  creation (the same as bench.references.insert_post_script: post row, then under the
  organisation's advisory lock the event numbered MAX(seq) + 1, commit; no job row, as the app
  queues one only for a post that mentions someone). The space's organisation and the author's name are read once
  per process and cached, as the app has them from authentication. Bodies are prefixed
  with "bare-django" so that cleanup(DATABASE_URL) (here or in bench.references) removes them.
- GET /spaces/<id>/posts?before=<ISO datetime or empty> → the 30 newest posts of the
  space (before that time), newest first, with their author's name: the feed page query
  served by the post_space_feed index (space, -created_at, -id).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from typing import Any

import dj_database_url
from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.utils.dateparse import parse_datetime

from bench.references import BARE_DJANGO_MARK, LOCK_NAMESPACE, delete_marked

PAGE_SIZE = 30


def database_settings(url: str) -> dict:
    """The DATABASES entry alveole/settings.py builds (importing it would create files and keys under var/)."""
    config = dict(dj_database_url.parse(url))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    elif config["ENGINE"] == "django.db.backends.postgresql":
        config["CONN_MAX_AGE"] = 0
        pool = {
            "min_size": int(os.environ.get("ALVEOLE_DB_POOL_MIN") or 2),
            "max_size": int(os.environ.get("ALVEOLE_DB_POOL_MAX") or 10),
            "timeout": 10,
        }
        config["OPTIONS"] = {"pool": pool}
    else:
        raise RuntimeError("DATABASE_URL must be a sqlite:// or postgres:// URL")
    return config


def configure() -> None:
    """Configure Django for this module alone (once); the ASGI application calls it.

    It runs when `application` is first looked up (uvicorn's "bench.bare_django:application"),
    not at import, so that a harness may import `cleanup` without configuring Django.
    """
    if settings.configured:
        return
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        raise RuntimeError("bench.bare_django needs DATABASE_URL (an Alvéole database filled by bench.dataset)")
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bare-django-reference-not-a-secret",
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[],
        MIDDLEWARE=[],
        TEMPLATES=[],
        DATABASES={"default": database_settings(url)},
        USE_TZ=True,
        TIME_ZONE="UTC",
        USE_I18N=False,
    )


def cleanup(database_url: str) -> dict[str, int]:
    """Delete the posts this module wrote (body prefix "bare-django"), their events and jobs."""
    return delete_marked(database_url, BARE_DJANGO_MARK)


# (space_id, author_id) → (organisation_id, author's full name, handle), read once per process.
_context: dict[tuple[int, int], tuple[int, str, str]] = {}


def _context_of(space_id: int, author_id: int) -> tuple[int, str, str] | None:
    key = (space_id, author_id)
    if key not in _context:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT s.organisation_id, u.full_name, u.handle FROM spaces_space s, accounts_user u "
                "WHERE s.id = %s AND u.id = %s",
                [space_id, author_id],
            )
            row = cursor.fetchone()
        if row is None:
            return None
        _context[key] = (row[0], row[1], row[2])
    return _context[key]


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    return str(value)


def create_post(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return JsonResponse({"error": "POST only"}, status=405)
    try:
        payload = json.loads(request.body)
        space_id, author_id, body = int(payload["space_id"]), int(payload["author_id"]), str(payload["body"])
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "expected JSON {space_id, author_id, body}"}, status=400)
    context = _context_of(space_id, author_id)
    if context is None:
        return JsonResponse({"error": "no such space or author"}, status=404)
    org_id, full_name, handle = context
    if not body.startswith(BARE_DJANGO_MARK):
        body = f"{BARE_DJANGO_MARK}: {body}"
    html = f"<p>{body}</p>\n"
    postgres = connection.vendor == "postgresql"
    adapt = connection.ops.adapt_datetimefield_value
    with transaction.atomic(), connection.cursor() as cursor:
        created_at = datetime.now(UTC)
        cursor.execute(
            'INSERT INTO "feed_post" ("organisation_id", "space_id", "author_id", "kind", "body", "body_html", '
            '"is_share", "shared_post_id", "created_at", "edited_at", "deleted_at", "pinned_at", "answered_at", '
            '"comment_count", "reaction_count", "review", "refusal_reason", "published_at") VALUES (%s, %s, %s, %s, '
            "%s, %s, %s, NULL, %s, NULL, NULL, NULL, NULL, 0, 0, 'published', '', %s) RETURNING \"feed_post\".\"id\"",
            [org_id, space_id, author_id, "update", body, html, False, adapt(created_at), adapt(created_at)],
        )
        post_id = cursor.fetchone()[0]
        if postgres:  # SQLite has one writer at a time already (as alveole.live.publish)
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, org_id])
        data = {
            "post_id": post_id, "space_id": space_id,
            "author": {"id": author_id, "full_name": full_name, "handle": handle},
            "kind": "update", "body": body, "body_html": html, "created_at": created_at.isoformat(),
            "is_share": False, "shared_post_id": None, "attachment_ids": [],
        }  # fmt: skip
        cast = "CAST(%s AS jsonb)" if postgres else "%s"
        cursor.execute(
            "INSERT INTO live_event (organisation_id, seq, type, audience, space_id, user_id, data, created_at) "
            f"SELECT %s, COALESCE(MAX(seq), 0) + 1, %s, %s, %s, NULL, {cast}, %s FROM live_event "
            "WHERE organisation_id = %s RETURNING id, seq",
            [org_id, "post.created", "space", space_id, json.dumps(data), adapt(datetime.now(UTC)), org_id],
        )
        cursor.fetchone()
    # No job: the app queues a notification job only for a post that mentions someone.
    return JsonResponse({"id": post_id}, status=201)


def space_posts(request: HttpRequest, space_id: int) -> HttpResponse:
    before_text = request.GET.get("before", "")
    before = None
    if before_text:
        try:
            before = parse_datetime(before_text.replace(" ", "+"))  # a bare "+" in a query string is a space
        except ValueError:
            before = None
        if before is None:
            return JsonResponse({"error": "before must be an ISO datetime"}, status=400)
        if before.tzinfo is None:
            before = before.replace(tzinfo=UTC)
    sql = (
        "SELECT p.id, p.body, p.created_at, u.full_name FROM feed_post p "
        "INNER JOIN accounts_user u ON u.id = p.author_id WHERE p.space_id = %s AND p.deleted_at IS NULL"
    )
    params: list[Any] = [space_id]
    if before is not None:
        sql += " AND p.created_at < %s"
        params.append(connection.ops.adapt_datetimefield_value(before))
    sql += f" ORDER BY p.created_at DESC, p.id DESC LIMIT {PAGE_SIZE}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    posts = [{"id": r[0], "body": r[1], "created_at": _iso(r[2]), "author": r[3]} for r in rows]
    return JsonResponse(posts, safe=False)


urlpatterns = [
    path("posts", create_post),
    path("spaces/<int:space_id>/posts", space_posts),
]

_application: Any = None


def __getattr__(name: str) -> Any:
    """`application`, built on first use (PEP 562): configure Django, then get_asgi_application()."""
    global _application
    if name != "application":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if _application is None:
        configure()
        from django.core.asgi import get_asgi_application

        _application = get_asgi_application()
    return _application
