"""What an entry's rights hang on (search/models.py): `shown` and the post's label, filled from the
sources for an index built before them.

On SQLite, adding a foreign key rebuilds the table, which drops its triggers: they are made again,
the update one now firing on changes of the text only, not of these marks (nor of `has_file`).
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Q

IN_A_POST = ("post", "comment", "file", "poll", "proposal", "decision")


def fill(apps, schema_editor):
    Entry = apps.get_model("search", "Entry")
    Post = apps.get_model("feed", "Post")
    Comment = apps.get_model("feed", "Comment")
    Attachment = apps.get_model("feed", "Attachment")
    hidden = Q(deleted_at__isnull=False) | Q(hidden_at__isnull=False) | ~Q(review="published")
    posts = Post.objects.filter(hidden).values("pk")
    comments = Comment.objects.filter(hidden).values("pk")
    Entry.objects.filter(kind__in=IN_A_POST, post_id__in=posts).update(shown=False)
    Entry.objects.filter(kind="comment", object_id__in=comments).update(shown=False)
    files = Attachment.objects.filter(comment_id__in=comments).values("pk")
    Entry.objects.filter(kind="file", object_id__in=files).update(shown=False)
    labelled = Post.objects.filter(label__isnull=False).values_list("pk", "label_id")
    for post_id, label_id in labelled.iterator():
        Entry.objects.filter(kind__in=IN_A_POST, post_id=post_id).update(label_id=label_id)


FULLTEXT = importlib.import_module("alveole.search.migrations.0002_fulltext")
SQLITE_TRIGGERS = [
    "DROP TRIGGER IF EXISTS search_entry_ai",
    "DROP TRIGGER IF EXISTS search_entry_ad",
    "DROP TRIGGER IF EXISTS search_entry_au",
    *(
        statement
        for statement in FULLTEXT.SQLITE_UP
        if "CREATE TRIGGER search_entry_a" in statement and "_au " not in statement
    ),
    """CREATE TRIGGER search_entry_au AFTER UPDATE OF title, body ON search_entry BEGIN
        INSERT INTO search_entry_fts(search_entry_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO search_entry_names(search_entry_names, rowid, title) VALUES ('delete', old.id, old.title);
        INSERT INTO search_entry_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
        INSERT INTO search_entry_names(rowid, title) VALUES (new.id, new.title);
    END""",
]


def triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_fulltext"),
        ("spaces", "0003_default_labels"),
        ("feed", "0006_published_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="entry",
            name="label",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="spaces.label"
            ),
        ),
        migrations.AddField(
            model_name="entry",
            name="shown",
            field=models.BooleanField(default=True),
        ),
        migrations.RunPython(triggers, migrations.RunPython.noop),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
