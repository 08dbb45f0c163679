"""The full-text structures beside search_entry, one set per database (see search/models.py).

SQLite: an external-content FTS5 table whose tokenizer folds case and accents and stems (porter),
kept by triggers, so every write to search_entry (ORM, reindex, a rollback) reaches it.
PostgreSQL: unaccent, three text search configurations that unaccent then stem (or not), a
`document` tsvector built by a trigger in the row's language (title weighted A, body B), and its
GIN index.
"""

from django.db import migrations

SQLITE_UP = [
    """CREATE VIRTUAL TABLE search_entry_fts USING fts5(
        title, body, content='search_entry', content_rowid='id',
        tokenize="porter unicode61 remove_diacritics 2")""",
    # Titles again, unstemmed, for search-as-you-type: porter would turn the prefix "every" into
    # "everi", which no longer starts "everyone".
    """CREATE VIRTUAL TABLE search_entry_names USING fts5(
        title, content='search_entry', content_rowid='id', tokenize="unicode61 remove_diacritics 2")""",
    """CREATE TRIGGER search_entry_ai AFTER INSERT ON search_entry BEGIN
        INSERT INTO search_entry_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
        INSERT INTO search_entry_names(rowid, title) VALUES (new.id, new.title);
    END""",
    """CREATE TRIGGER search_entry_ad AFTER DELETE ON search_entry BEGIN
        INSERT INTO search_entry_fts(search_entry_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO search_entry_names(search_entry_names, rowid, title) VALUES ('delete', old.id, old.title);
    END""",
    """CREATE TRIGGER search_entry_au AFTER UPDATE ON search_entry BEGIN
        INSERT INTO search_entry_fts(search_entry_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO search_entry_names(search_entry_names, rowid, title) VALUES ('delete', old.id, old.title);
        INSERT INTO search_entry_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
        INSERT INTO search_entry_names(rowid, title) VALUES (new.id, new.title);
    END""",
    "INSERT INTO search_entry_fts(search_entry_fts) VALUES ('rebuild')",
    "INSERT INTO search_entry_names(search_entry_names) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS search_entry_au",
    "DROP TRIGGER IF EXISTS search_entry_ad",
    "DROP TRIGGER IF EXISTS search_entry_ai",
    "DROP TABLE IF EXISTS search_entry_names",
    "DROP TABLE IF EXISTS search_entry_fts",
]


def _config(name: str, stemmer: str) -> str:
    # No IF NOT EXISTS for configurations: a database restored from another keeps its own.
    return f"""DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{name}') THEN
            CREATE TEXT SEARCH CONFIGURATION {name} (COPY = simple);
            ALTER TEXT SEARCH CONFIGURATION {name}
                ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part
                WITH unaccent, {stemmer};
        END IF;
    END $$"""


# The trigger function that builds a document; later migrations append to it through `{extra}`
# (0004: the month lexeme), so its text is written once.
DOCUMENT_FUNCTION = """CREATE OR REPLACE FUNCTION search_entry_document() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE config regconfig := CASE NEW.language
        WHEN 'fr' THEN 'alveole_french'::regconfig
        WHEN 'en' THEN 'alveole_english'::regconfig
        ELSE 'alveole_simple'::regconfig END;
    BEGIN
        -- Punctuation becomes space first: the parser would otherwise keep "floorplan-v2.txt" or
        -- "acme.com" as one file or host token, which no word typed in the box ever matches.
        NEW.document := setweight(to_tsvector(config, regexp_replace(coalesce(NEW.title, ''), '[[:punct:]]+', ' ', 'g')), 'A')
            || setweight(to_tsvector(config, regexp_replace(coalesce(NEW.body, ''), '[[:punct:]]+', ' ', 'g')), 'B'){extra};
        RETURN NEW;
    END $$"""

POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    _config("alveole_french", "french_stem"),
    _config("alveole_english", "english_stem"),
    _config("alveole_simple", "simple"),
    "ALTER TABLE search_entry ADD COLUMN document tsvector",
    DOCUMENT_FUNCTION.format(extra=""),
    """CREATE TRIGGER search_entry_document BEFORE INSERT OR UPDATE OF title, body, language ON search_entry
        FOR EACH ROW EXECUTE FUNCTION search_entry_document()""",
    "UPDATE search_entry SET title = title",
    "CREATE INDEX search_entry_document_gin ON search_entry USING gin (document)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS search_entry_document_gin",
    "DROP TRIGGER IF EXISTS search_entry_document ON search_entry",
    "DROP FUNCTION IF EXISTS search_entry_document()",
    "ALTER TABLE search_entry DROP COLUMN IF EXISTS document",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS alveole_simple",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS alveole_english",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS alveole_french",
]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
