"""PostgreSQL: each entry's document also carries the month it was written in, as a lexeme of its own
("0m202611", weight D), so that the newest matches of a word are found inside the GIN index — the word's
entries intersected with the last months' — without visiting every match in the table. The entries of
the last three months get theirs now; older ones at the next `alveole search reindex` (until then they
are found by the last, unbounded step, as before)."""

from django.db import migrations

DOCUMENT = """CREATE OR REPLACE FUNCTION search_entry_document() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE config regconfig := CASE NEW.language
        WHEN 'fr' THEN 'alveole_french'::regconfig
        WHEN 'en' THEN 'alveole_english'::regconfig
        ELSE 'alveole_simple'::regconfig END;
    BEGIN
        -- Punctuation becomes space first: the parser would otherwise keep "floorplan-v2.txt" or
        -- "acme.com" as one file or host token, which no word typed in the box ever matches.
        NEW.document := setweight(to_tsvector(config, regexp_replace(coalesce(NEW.title, ''), '[[:punct:]]+', ' ', 'g')), 'A')
            || setweight(to_tsvector(config, regexp_replace(coalesce(NEW.body, ''), '[[:punct:]]+', ' ', 'g')), 'B'){month};
        RETURN NEW;
    END $$"""
MONTH = """
            || setweight(to_tsvector('simple', '0m' || to_char(NEW.created_at AT TIME ZONE 'UTC', 'YYYYMM')), 'D')"""

UP = [
    DOCUMENT.format(month=MONTH),
    "UPDATE search_entry SET language = language WHERE created_at >= now() - interval '3 months'",
]
DOWN = [
    DOCUMENT.format(month=""),
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
