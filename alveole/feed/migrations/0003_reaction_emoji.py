"""A reaction is now any single emoji (issue 15): the six former kinds become their emoji.

The mapping is written out here, not imported, so this migration keeps meaning what it meant when
feed.reactions changes. Going back maps the six emoji to their names and every other emoji to
"like" (the old column had no room for the others' meaning).
"""

from django.db import migrations, models

NAMED = {"like": "👍", "love": "❤️", "celebrate": "🎉", "laugh": "😄", "idea": "💡", "sad": "😢"}


def names_to_emoji(apps, schema_editor):
    Reaction = apps.get_model("feed", "Reaction")
    for name, emoji in NAMED.items():
        Reaction.objects.filter(kind=name).update(kind=emoji)


def emoji_to_names(apps, schema_editor):
    Reaction = apps.get_model("feed", "Reaction")
    for name, emoji in NAMED.items():
        Reaction.objects.filter(kind=emoji).update(kind=name)
    Reaction.objects.exclude(kind__in=list(NAMED)).update(kind="like")


class Migration(migrations.Migration):
    dependencies = [
        ("feed", "0002_post_space_pinned"),
    ]

    operations = [
        migrations.AlterField(
            model_name="reaction",
            name="kind",
            field=models.CharField(default="👍", max_length=32),
        ),
        migrations.RunPython(names_to_emoji, emoji_to_names),
    ]
