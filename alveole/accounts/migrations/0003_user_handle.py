import re
import unicodedata

from django.db import migrations, models


def fill_handles(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    seen: dict[int, set[str]] = {}
    for user in User.objects.order_by("pk"):
        source = user.full_name or user.email.split("@")[0]
        ascii_name = unicodedata.normalize("NFKD", source).encode("ascii", "ignore").decode().lower()
        base = (re.sub(r"[^a-z0-9]+", ".", ascii_name).strip(".") or "user")[:36]
        taken = seen.setdefault(user.organisation_id, set())
        handle, n = base, 2
        while handle in taken:
            handle, n = f"{base}{n}", n + 1
        taken.add(handle)
        User.objects.filter(pk=user.pk).update(handle=handle)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial"), ("orgs", "0002_initial")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="handle",
            field=models.CharField(default="", max_length=40, verbose_name="handle"),
        ),
        migrations.RunPython(fill_handles, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(fields=("organisation", "handle"), name="unique_handle_per_org"),
        ),
    ]
