from django.db import migrations

# Frozen here: a migration must not follow later changes to spaces.labels.DEFAULT_LABELS.
DEFAULTS = (("Internal", 0, False), ("Confidential", 10, True))


def create_defaults(apps, schema_editor):
    Organisation = apps.get_model("orgs", "Organisation")
    Label = apps.get_model("spaces", "Label")
    for org_id in Organisation.objects.values_list("pk", flat=True):
        if not Label.objects.filter(organisation_id=org_id).exists():
            Label.objects.bulk_create(
                Label(organisation_id=org_id, name=name, rank=rank, restricted=restricted)
                for name, rank, restricted in DEFAULTS
            )


class Migration(migrations.Migration):
    dependencies = [("spaces", "0002_labels_moderation"), ("orgs", "0004_confidentiality")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
