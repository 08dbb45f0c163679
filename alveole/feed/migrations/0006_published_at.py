"""Post.published_at and Comment.published_at: when readers could first see the item.

Rows already published get their approval time, or their creation time when they were never held."""

import django.utils.timezone
from django.db import migrations, models
from django.db.models.functions import Coalesce


def backfill(apps, schema_editor):
    for name in ("Post", "Comment"):
        model = apps.get_model("feed", name)
        model.objects.filter(review="published", published_at__isnull=True).update(
            published_at=Coalesce("reviewed_at", "created_at")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("feed", "0005_review_label"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="published_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="post",
            name="published_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        # After the backfill, so that held rows keep None: new rows default to their creation instant.
        migrations.AlterField(
            model_name="comment",
            name="published_at",
            field=models.DateTimeField(blank=True, null=True, default=django.utils.timezone.now),
        ),
        migrations.AlterField(
            model_name="post",
            name="published_at",
            field=models.DateTimeField(blank=True, null=True, default=django.utils.timezone.now),
        ),
    ]
