# The audit log's hash chain (core/auditchain.py): two columns, then the existing rows chained in id order.

import django.utils.timezone
from django.db import migrations, models

from alveole.core.auditchain import row_hash


def chain_existing(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    last: dict[int | None, str] = {}
    for row in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        prev = last.get(row.organisation_id, "")
        row.prev_hash = prev
        row.hash = row_hash(row, prev)
        AuditEvent.objects.filter(pk=row.pk).update(prev_hash=row.prev_hash, hash=row.hash)
        last[row.organisation_id] = row.hash


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_worker_heartbeat"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="created_at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
    ]
