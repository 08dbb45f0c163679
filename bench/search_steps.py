"""The newest matches in three steps against one step, on a scratch PostgreSQL database (bench/RESULTS.md,
"The newest matches, in three steps").

    python -m bench.search_steps --database postgres://postgres@127.0.0.1:5432/alveole_search_steps [--entries N]

Creates the database (it must not exist), migrates it, writes N search entries by SQL (25 words each, drawn
log-uniformly from 3,000: `w1` is in nine entries in ten, `w100` in one in thirty-three), then times
`selectors._pg_newest` against `_pg_newest_of` over every match for a reader of 20 spaces out of 60, window
1,000, the median of 5 calls each, and drops the database unless --keep.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from typing import Any
from urllib.parse import urlparse, urlunparse

WORDS = ("w1", "w10", "w100", "w1000", "w2999")
UNLINK = """
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT conname FROM pg_constraint WHERE conrelid = 'search_entry'::regclass AND contype = 'f' LOOP
    EXECUTE 'ALTER TABLE search_entry DROP CONSTRAINT ' || r.conname;
  END LOOP;
END $$"""
FILL = """
INSERT INTO search_entry (kind, object_id, post_id, has_file, created_at, language, title, body, link,
                          author_id, organisation_id, space_id, label_id, shown)
SELECT 'post', g, g, false, now() - (%(n)s - g) * interval '20 seconds', 'en', '',
  (SELECT string_agg('w' || floor(exp(random() * ln(3000)))::int, ' ') FROM generate_series(1, 25) WHERE g > 0),
  '/p/' || g, 1 + g %% 200, CASE WHEN g %% 10 = 0 THEN 2 ELSE 1 END, 1 + g %% 60, NULL, true
FROM generate_series(1, %(n)s) g
"""


def _admin(url: str) -> str:
    return urlunparse(urlparse(url)._replace(path="/postgres"))


def measure(repeat: int = 5, window: int = 1000) -> list[dict[str, Any]]:
    """In this process, on the configured database (DATABASE_URL)."""
    from alveole.search import selectors
    from alveole.search.models import Entry

    reader = Entry.objects.filter(organisation_id=1, shown=True, space_id__in=list(range(1, 21)))
    rows = []
    for word in WORDS:
        matched = selectors._matched(reader, [word], prefix=False)
        row: dict[str, Any] = {"word": word}
        found: dict[str, set[int]] = {}
        for name, find in (("one_step_ms", selectors._pg_newest_of), ("three_steps_ms", selectors._pg_newest)):
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                found[name] = set(find(matched, window))
                times.append((time.perf_counter() - started) * 1000)
            row[name] = round(statistics.median(times), 1)
        # Here entries are written in date order, so both must find the very same window.
        row["ids"], row["same"] = len(found["one_step_ms"]), found["one_step_ms"] == found["three_steps_ms"]
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="a PostgreSQL URL whose database does not exist yet")
    parser.add_argument("--entries", type=int, default=1_500_000)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    import psycopg

    name = urlparse(args.database).path.strip("/")
    env = {**os.environ, "DATABASE_URL": args.database, "DJANGO_SETTINGS_MODULE": "alveole.settings"}
    env.setdefault("SECRET_KEY", "bench-search-steps-" + "k" * 40)
    with psycopg.connect(_admin(args.database), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        subprocess.run([sys.executable, "-m", "alveole.cli", "migrate", "-v", "0"], env=env, check=True)
        with psycopg.connect(args.database, autocommit=True) as conn:
            started = time.perf_counter()
            conn.execute(UNLINK)  # the entries name no real person, space or organisation
            conn.execute(FILL, {"n": args.entries})
            conn.execute("VACUUM ANALYZE search_entry")
            print(f"{args.entries:,} entries written in {time.perf_counter() - started:.0f} s")
        os.environ.update(env)
        import django

        django.setup()
        for row in measure():
            print(
                f"{row['word']:6} {row['ids']:5} ids   one step {row['one_step_ms']:8.1f} ms"
                f"   three steps {row['three_steps_ms']:8.1f} ms   {'same window' if row['same'] else 'DIFFERENT'}"
            )
    finally:
        if not args.keep:
            if "django" in sys.modules and os.environ.get("DJANGO_SETTINGS_MODULE"):
                from django.db import connections

                connections.close_all()
            with psycopg.connect(_admin(args.database), autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
