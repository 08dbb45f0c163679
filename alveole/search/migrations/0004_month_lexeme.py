"""PostgreSQL: each entry's document also carries the month it was written in, as a lexeme of its own
("0m202611", weight D), so that the newest matches of a word are found inside the GIN index — the word's
entries intersected with the last months' — without visiting every match in the table. The entries of
the last three months get theirs now; older ones at the next `alveole search reindex` (until then they
are found by the last, unbounded step, as before)."""

import importlib

from django.db import migrations

FULLTEXT = importlib.import_module("alveole.search.migrations.0002_fulltext")
MONTH = """
            || setweight(to_tsvector('simple', '0m' || to_char(NEW.created_at AT TIME ZONE 'UTC', 'YYYYMM')), 'D')"""

UP = [
    FULLTEXT.DOCUMENT_FUNCTION.format(extra=MONTH),
    "UPDATE search_entry SET language = language WHERE created_at >= now() - interval '3 months'",
]
DOWN = [
    FULLTEXT.DOCUMENT_FUNCTION.format(extra=""),
    "UPDATE search_entry SET language = language WHERE created_at >= now() - interval '3 months'",
]


def _run(statements: list[str]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0003_rights")]

    operations = [migrations.RunPython(_run(UP), _run(DOWN))]
