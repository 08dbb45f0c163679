"""The "bare Django endpoint" reference: the product's two hot paths' SQL behind Django, and nothing else.

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
(as for the app's views) and the database, running the statements the product runs
for the same request (captured with Django's query log; test_references checks the
tables and columns against the models). Comparing it with Alvéole on the same
endpoints tells how much the product's own work costs: its Python, not its SQL.

- POST /posts {"space_id", "author_id", "body"} → 201 {"id"}: what POST /api/v1/posts writes
  for the scenario's body ("… about #benchmarks"), in one transaction: read the space (with
  its label, readable by the author) and the author's membership, upsert each #topic of the
  body (INSERT … ON CONFLICT DO UPDATE RETURNING id), insert the post, upsert its search
  entry, link the post to its topics, give each topic its search entry (insert or ignore),
  then under the organisation's advisory lock (PostgreSQL) insert the event numbered
  MAX(seq) + 1, and commit. No job row: the app queues a notification job only for a post
  that mentions someone. The author's name, handle and language are read once per process
  and cached, as the app has them from authentication. Bodies are prefixed with
  "bare-django" so that cleanup(DATABASE_URL) (here or in bench.references) removes them.
- GET /spaces/<id>/posts?viewer=<user id>&before=<ISO datetime or empty> → one page as
  GET /api/v1/spaces/<id>/posts builds it, with the same joins and the columns its JSON
  shows: the space (its name and label, readable by the viewer), the 30 newest posts the
  viewer may see (the product's visibility rule for hidden, held and refused posts) with
  their author (name, handle) and label, the shared originals when the page holds shares,
  the reaction summary with the viewer's own reaction, the attachments, the viewer's read
  marks, and on the first page the pinned posts (a probe on the partial index, then the
  same page for what it found). The viewer's role is read once per process and cached, as
  the app has it from authentication.
"""

from __future__ import annotations

import json
import os
import re
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
# What this reference does, as a report records it (bench.run's method, bench.report's header).
REFERENCES = (
    "bench.bare_django since issue 17: a post with its topic upserted and linked, its search entries and "
    "its event, in one transaction (pgbench insert-post: the same writes); a feed page with the product's "
    "seven queries but the token, the columns its JSON shows"
)


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
    """Delete the posts this module wrote (body prefix "bare-django"): their events, topic links, search entries."""
    return delete_marked(database_url, BARE_DJANGO_MARK)


# author_id → (organisation_id, full name, handle, language); viewer_id → (organisation_id, role):
# read once per process, as the app has them from authentication.
_authors: dict[int, tuple[int, str, str, str]] = {}
_viewers: dict[int, tuple[int, str]] = {}

# The product's topic rule (alveole.core.markdown.TOPIC_RE): a letter, up to 50 characters.
TOPIC_RE = re.compile(r"(?<![\w#&])#((?=[\w-]*[^\W\d_])[^\W_](?:[\w-]{0,48}[^\W_])?)")
# The columns of a page's post, as the product's JSON shows them (alveole.feed.api.item_out).
POST_COLUMNS = (
    "p.id, p.space_id, p.kind, p.body, p.body_html, p.created_at, p.edited_at, p.pinned_at, p.answered_at, "
    "p.hidden_at, p.review, p.refusal_reason, p.comment_count, p.is_share, p.shared_post_id, p.author_id, "
    "u.full_name, u.handle, p.label_id, l.rank, l.restricted"
)


def _fetch(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _author(author_id: int) -> tuple[int, str, str, str] | None:
    if author_id not in _authors:
        rows = _fetch(
            "SELECT organisation_id, full_name, handle, language FROM accounts_user WHERE id = %s", [author_id]
        )
        if not rows:
            return None
        _authors[author_id] = rows[0]
    return _authors[author_id]


def _viewer(viewer_id: int) -> tuple[int, str] | None:
    if viewer_id not in _viewers:
        rows = _fetch("SELECT organisation_id, role FROM accounts_user WHERE id = %s AND is_active", [viewer_id])
        if not rows:
            return None
        _viewers[viewer_id] = rows[0]
    return _viewers[viewer_id]


def _readable_space(space_id: int, org_id: int, user_id: int) -> tuple[Any, ...] | None:
    """The space with its label, when open or joined by the user (alveole.spaces.access.get_space_for)."""
    rows = _fetch(
        "SELECT s.id, s.name, s.archived_at, s.label_id, l.rank, l.restricted FROM spaces_space s "
        "LEFT OUTER JOIN spaces_label l ON l.id = s.label_id WHERE s.organisation_id = %s AND s.id = %s "
        "AND (s.visibility = 'open' OR EXISTS(SELECT 1 FROM spaces_spacemembership m "
        "WHERE m.space_id = s.id AND m.user_id = %s))",
        [org_id, space_id, user_id],
    )
    return rows[0] if rows else None


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    return str(value)


def _topic_html(body: str) -> str:
    return (
        "<p>"
        + TOPIC_RE.sub(
            lambda m: (
                f'<a href="/topics/{m.group(1).lower()}/" class="topic" rel="noopener noreferrer nofollow">'
                f"{m.group(0)}</a>"
            ),
            body,
        )
        + "</p>\n"
    )


def create_post(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return JsonResponse({"error": "POST only"}, status=405)
    try:
        payload = json.loads(request.body)
        space_id, author_id, body = int(payload["space_id"]), int(payload["author_id"]), str(payload["body"])
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "expected JSON {space_id, author_id, body}"}, status=400)
    author = _author(author_id)
    if author is None:
        return JsonResponse({"error": "no such author"}, status=404)
    org_id, full_name, handle, language = author
    # The search entry's language (alveole.search.actions.language_of): the author's, else what the
    # words say; the scenario's body has none of its common words, so the default language.
    language = language if language in ("fr", "en") else "en"
    if not body.startswith(BARE_DJANGO_MARK):
        body = f"{BARE_DJANGO_MARK}: {body}"
    topics: dict[str, str] = {}
    for match in TOPIC_RE.finditer(body):
        topics.setdefault(match.group(1).lower(), match.group(1))
    html = _topic_html(body)
    postgres = connection.vendor == "postgresql"
    adapt = connection.ops.adapt_datetimefield_value
    space = _readable_space(space_id, org_id, author_id)
    if space is None:
        return JsonResponse({"error": "no such space"}, status=404)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, role FROM spaces_spacemembership WHERE space_id = %s AND user_id = %s ORDER BY id LIMIT 1",
            [space_id, author_id],
        )
        if cursor.fetchone() is None:
            return JsonResponse({"error": "not a member"}, status=403)
        created_at = datetime.now(UTC)
        topic_ids = []
        for name, label in topics.items():
            cursor.execute(
                'INSERT INTO "feed_topic" ("organisation_id", "name", "label", "created_at") VALUES (%s, %s, %s, %s) '
                'ON CONFLICT ("organisation_id", "name") DO UPDATE SET "name" = EXCLUDED."name" RETURNING "id"',
                [org_id, name, label, adapt(created_at)],
            )
            topic_ids.append((cursor.fetchone()[0], name, label))
        cursor.execute(
            'INSERT INTO "feed_post" ("organisation_id", "space_id", "author_id", "kind", "body", "body_html", '
            '"is_share", "shared_post_id", "created_at", "edited_at", "deleted_at", "pinned_at", "answered_at", '
            '"comment_count", "reaction_count", "review", "refusal_reason", "published_at") VALUES (%s, %s, %s, %s, '
            "%s, %s, %s, NULL, %s, NULL, NULL, NULL, NULL, 0, 0, 'published', '', %s) RETURNING \"feed_post\".\"id\"",
            [org_id, space_id, author_id, "update", body, html, False, adapt(created_at), adapt(created_at)],
        )
        post_id = cursor.fetchone()[0]
        cursor.execute(
            'INSERT INTO "search_entry" ("organisation_id", "kind", "object_id", "space_id", "shown", "label_id", '
            '"author_id", "post_id", "has_file", "created_at", "language", "title", "body", "link") '
            "VALUES (%s, 'post', %s, %s, %s, NULL, %s, %s, %s, %s, %s, '', %s, %s) "
            'ON CONFLICT ("kind", "object_id") DO UPDATE SET "organisation_id" = EXCLUDED."organisation_id", '
            '"space_id" = EXCLUDED."space_id", "label_id" = EXCLUDED."label_id", "post_id" = EXCLUDED."post_id", '
            '"shown" = EXCLUDED."shown", "author_id" = EXCLUDED."author_id", "created_at" = EXCLUDED."created_at", '
            '"language" = EXCLUDED."language", "body" = EXCLUDED."body", "link" = EXCLUDED."link", '
            '"title" = EXCLUDED."title" RETURNING "id"',
            [org_id, post_id, space_id, True, author_id, post_id, False, adapt(created_at), language, body,
             f"/posts/{post_id}/"],
        )  # fmt: skip
        cursor.fetchone()
        for topic_id, name, label in topic_ids:
            cursor.execute(
                'INSERT INTO "feed_post_topics" ("post_id", "topic_id") VALUES (%s, %s) ON CONFLICT DO NOTHING',
                [post_id, topic_id],
            )
            cursor.execute(
                'INSERT INTO "search_entry" ("organisation_id", "kind", "object_id", "space_id", "shown", '
                '"label_id", "author_id", "post_id", "has_file", "created_at", "language", "title", "body", "link") '
                "VALUES (%s, 'topic', %s, NULL, %s, NULL, NULL, NULL, %s, %s, '', %s, %s, %s) ON CONFLICT DO NOTHING",
                [org_id, topic_id, True, False, adapt(created_at), f"#{label}", name, f"/topics/{name}/"],
            )
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


def _visible(viewer_id: int, role: str) -> tuple[str, list[Any]]:
    """The product's rule for hidden, held and refused posts (alveole.feed.access.shown_unless_hidden)."""
    if role in ("owner", "admin"):
        return "(NOT (p.review = 'refused') OR p.author_id = %s)", [viewer_id]
    return (
        "((p.hidden_at IS NULL AND p.review = 'published') OR p.author_id = %s OR (p.space_id IN "
        "(SELECT space_id FROM spaces_spacemembership WHERE user_id = %s AND role = 'manager') "
        "AND NOT (p.review = 'refused')))",
        [viewer_id, viewer_id],
    )


def _items(rows: list[tuple[Any, ...]], space: tuple[Any, ...], viewer_id: int, role: str) -> list[dict[str, Any]]:
    """The page's cards from its post rows: originals, reactions, attachments and read marks, a query each."""
    if not rows:
        return []
    originals: dict[int, tuple[Any, ...]] = {}
    shared = [r[14] for r in rows if r[14]]
    if shared:  # only when the page holds shares, as the product
        visible, params = _visible(viewer_id, role)
        found = _fetch(
            f"SELECT {POST_COLUMNS}, s.name FROM feed_post p INNER JOIN accounts_user u ON u.id = p.author_id "
            "LEFT OUTER JOIN spaces_label l ON l.id = p.label_id LEFT OUTER JOIN spaces_space s ON s.id = p.space_id "
            f"WHERE p.id IN ({', '.join(['%s'] * len(shared))}) AND p.deleted_at IS NULL AND {visible} "
            "AND (s.id IS NULL OR s.visibility = 'open' OR EXISTS(SELECT 1 FROM spaces_spacemembership m "
            "WHERE m.space_id = s.id AND m.user_id = %s))",
            [*shared, *params, viewer_id],
        )
        originals = {r[0]: r for r in found}
    ids = [r[0] for r in rows] + list(originals)
    marks = ", ".join(["%s"] * len(ids))
    reactions: dict[int, dict[str, int]] = {}
    mine: dict[int, str] = {}
    for post_id, kind, count, me in _fetch(
        "SELECT post_id, kind, COUNT(id), MAX(CASE WHEN user_id = %s THEN 1 ELSE 0 END) FROM feed_reaction "
        f"WHERE post_id IN ({marks}) GROUP BY post_id, kind",
        [viewer_id, *ids],
    ):
        reactions.setdefault(post_id, {})[kind] = count
        if me:
            mine[post_id] = kind
    files: dict[int, list[dict[str, Any]]] = {}
    for file_id, post_id, name, content_type, size, width, height in _fetch(
        "SELECT id, post_id, original_name, content_type, size, width, height FROM feed_attachment "
        f"WHERE post_id IN ({marks}) ORDER BY id",
        ids,
    ):
        image = content_type.startswith("image/")
        files.setdefault(post_id, []).append(
            {"id": file_id, "name": name, "content_type": content_type, "size": size, "width": width,
             "height": height, "is_image": image, "url": f"/files/{file_id}/{name}",
             "thumbnail_url": f"/files/{file_id}/thumbnail" if image else None}
        )  # fmt: skip
    page_ids = [r[0] for r in rows]
    read = {
        r[0]
        for r in _fetch(
            "SELECT post_id FROM feed_postread WHERE user_id = %s "
            f"AND post_id IN ({', '.join(['%s'] * len(page_ids))})",
            [viewer_id, *page_ids],
        )
    }

    def card(r: tuple[Any, ...], space_name: str | None) -> dict[str, Any]:
        return {
            "id": r[0], "space": {"id": r[1], "name": space_name} if r[1] else None,
            "author": {"id": r[15], "full_name": r[16], "handle": r[17]},
            "kind": r[2], "body": r[3], "body_html": r[4], "created_at": _iso(r[5]),
        }  # fmt: skip

    items = []
    for r in rows:
        original = originals.get(r[14]) if r[14] else None
        space_rank, space_restricted = space[4], space[5]
        label_id = r[18] if r[18] is not None and (space_rank is None or r[19] > space_rank) else space[3]
        items.append(
            {
                **card(r, space[1]),
                "edited_at": _iso(r[6]), "pinned": r[7] is not None, "answered": r[8] is not None,
                "hidden": r[9] is not None, "review": r[10], "refusal_reason": r[11], "comment_count": r[12],
                "reactions": reactions.get(r[0], {}), "my_reaction": mine.get(r[0]),
                "attachments": files.get(r[0], []),
                "unread": r[0] not in read and r[15] != viewer_id and r[10] == "published",
                "is_share": bool(r[13]),
                "shared_post": None if original is None else
                {**card(original, original[21]), "attachments": files.get(original[0], [])},
                "shared_post_unavailable": bool(r[13]) and original is None,
                "label_id": label_id, "confidential": bool(r[20]) or bool(space_restricted),
            }
        )  # fmt: skip
    return items


def space_posts(request: HttpRequest, space_id: int) -> HttpResponse:
    try:
        viewer_id = int(request.GET.get("viewer", ""))
    except ValueError:
        return JsonResponse({"error": "viewer must be a user id"}, status=400)
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
    viewer = _viewer(viewer_id)
    if viewer is None:
        return JsonResponse({"error": "no such viewer"}, status=404)
    org_id, role = viewer
    space = _readable_space(space_id, org_id, viewer_id)
    if space is None:
        return JsonResponse({"error": "no such space"}, status=404)
    visible, params = _visible(viewer_id, role)
    where = f"{visible} AND p.deleted_at IS NULL AND p.organisation_id = %s AND p.space_id = %s"
    params += [org_id, space_id]
    sql = (
        f"SELECT {POST_COLUMNS} FROM feed_post p INNER JOIN accounts_user u ON u.id = p.author_id "
        f"LEFT OUTER JOIN spaces_label l ON l.id = p.label_id WHERE {where}"
    )
    page_params = list(params)
    if before is not None:
        sql += " AND p.created_at < %s"
        page_params.append(connection.ops.adapt_datetimefield_value(before))
    rows = _fetch(sql + f" ORDER BY p.created_at DESC, p.id DESC LIMIT {PAGE_SIZE + 1}", page_params)
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    items = _items(rows, space, viewer_id, role)
    pinned: list[dict[str, Any]] = []
    if before is None:  # the first page shows the pinned posts: an id probe, then their cards
        ids = [r[0] for r in _fetch(f"SELECT p.id FROM feed_post p WHERE {where} AND p.pinned_at IS NOT NULL "
                                    "ORDER BY p.pinned_at DESC LIMIT 5", params)]  # fmt: skip
        if ids:
            found = _fetch(
                f"SELECT {POST_COLUMNS} FROM feed_post p INNER JOIN accounts_user u ON u.id = p.author_id "
                f"LEFT OUTER JOIN spaces_label l ON l.id = p.label_id WHERE {where} "
                f"AND p.pinned_at IS NOT NULL AND p.id IN ({', '.join(['%s'] * len(ids))}) ORDER BY p.pinned_at DESC",
                [*params, *ids],
            )
            pinned = _items(found, space, viewer_id, role)
    next_before = items[-1]["created_at"] if more and items else None
    return JsonResponse({"items": items, "next_before": next_before, "pinned": pinned})


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
