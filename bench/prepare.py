"""Datasets for the load scenarios: made once per size and configuration, then reused.

`prepare(env, posts)` fills the database named by `env` with bench.dataset when it
has no bench organisation of that size yet, adds a "load space" of exactly 50
members (the create-post scenario's target), and returns fresh tokens with what
each person can read, so that load generators act as real members.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any
from urllib.parse import urlparse, urlunparse

from .servers import ROOT

LOAD_SPACE = "Load space (50 members)"


def run_django(code: str, env: dict[str, str]) -> str:
    script = "import os, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'alveole.settings'); django.setup()\n"
    result = subprocess.run([sys.executable, "-c", script + code], env=env, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(result.stderr)
    return result.stdout


def postgres_database(base: str, name: str) -> str:
    """The URL of database `name` on the server of `base`, created when missing."""
    import psycopg

    parsed = urlparse(base)
    with psycopg.connect(urlunparse(parsed._replace(path="/postgres")), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parsed._replace(path=f"/{name}"))


PREPARE = """
import json
from django.db import connection, transaction
from alveole.accounts.actions import create_token
from alveole.accounts.models import User
from alveole.feed.models import Post
from alveole.orgs.models import Organisation
from alveole.spaces.actions import create_space
from alveole.spaces.models import Space, SpaceMembership, SpaceRole

org = Organisation.objects.get(name='Bench org ({posts} posts)')
people = list(User.objects.filter(organisation=org, role__in=['owner', 'member'], is_active=True).order_by('pk'))
with transaction.atomic():
    space = Space.objects.filter(organisation=org, name={load_space!r}).first()
    if space is None:
        space = create_space(people[0], name={load_space!r})
        SpaceMembership.objects.bulk_create(
            [SpaceMembership(space=space, user=u, role=SpaceRole.MEMBER) for u in people[1:50]]
        )
members = list(SpaceMembership.objects.filter(space=space).values_list('user_id', flat=True))
assert len(members) == 50, len(members)
tokens = {{}}
for user in people[: {users}]:
    tokens[user.pk] = create_token(user, name='bench-load')[1]
for pk in members:
    if pk not in tokens:
        tokens[pk] = create_token(User.objects.get(pk=pk), name='bench-load')[1]
readers = []
for user in people[: {users}]:
    spaces = list(
        SpaceMembership.objects.filter(user=user).exclude(space=space).values_list('space_id', flat=True)
    )
    recent = list(
        Post.objects.filter(space_id__in=spaces).order_by('-created_at', '-id').values_list('id', flat=True)[:30]
    )
    readers.append({{'user_id': user.pk, 'token': tokens[user.pk], 'spaces': spaces, 'recent_posts': recent}})
# The dataset is bulk-inserted (no signals): build its search index once, as `alveole search reindex` does.
from alveole.search.actions import reindex
from alveole.search.models import Entry
if not Entry.objects.filter(organisation=org, kind='post').exists():
    reindex(organisation_id=org.pk)
search_words = ['topic%d' % i for i in range(50)]
if connection.vendor == 'postgresql':
    # A fresh dataset is a million inserts autovacuum has not reached yet: without VACUUM no page is all-visible
    # and the dead rows of its updates stay, so the first scenarios would measure the cleanup instead.
    connection.cursor().execute('VACUUM ANALYZE')
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size('search_entry')")
        search_index_bytes = cursor.fetchone()[0]
else:
    with connection.cursor() as cursor:
        try:
            cursor.execute("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'search_entry%'")
            search_index_bytes = cursor.fetchone()[0]
        except Exception:
            search_index_bytes = None  # SQLite built without dbstat
print(json.dumps({{
    'organisation_id': org.pk,
    'load_space': {{'id': space.pk, 'tokens': [tokens[pk] for pk in members], 'member_ids': members}},
    'readers': readers,
    'search_words': search_words,
    'search_index_bytes': search_index_bytes,
}}))
"""


def prepare(env: dict[str, str], posts: int, users: int = 200) -> dict[str, Any]:
    subprocess.run([sys.executable, "-m", "alveole.cli", "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    check = "from alveole.orgs.models import Organisation as O; print(O.objects.filter(name=%r).exists())"
    if run_django(check % f"Bench org ({posts} posts)", env).strip() != "True":
        subprocess.run(
            [sys.executable, "-m", "bench.dataset", "--posts", str(posts), "--users", "500", "--spaces", "50"],
            env=env,
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    out = run_django(PREPARE.format(posts=posts, users=users, load_space=LOAD_SPACE), env)
    return dict(json.loads(out.strip().splitlines()[-1]))


CLEANUP = """
from alveole.feed.models import Post, Comment
print(Post.objects.filter(body__startswith='bench-load').delete()[0],
      Comment.objects.filter(body__startswith='bench-load').delete()[0])
"""


def cleanup(env: dict[str, str]) -> None:
    """Remove what the load scenarios wrote, so that every run starts from the same dataset."""
    run_django(CLEANUP, env)
