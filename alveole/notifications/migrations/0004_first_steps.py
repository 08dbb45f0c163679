from django.db import migrations, models
from django.db.models import Q
from django.utils import timezone


def mark_saved_settings(apps, schema_editor):
    """Rows written before `saved_at` existed: until now only saving the settings created a row
    without `caught_up_at`, and a row whose choices differ from the defaults was saved too."""
    NotificationSettings = apps.get_model("notifications", "NotificationSettings")
    defaults = NotificationSettings()
    differs = (
        Q(caught_up_at__isnull=True)
        | ~Q(email_mode=defaults.email_mode)
        | ~Q(work_start=defaults.work_start)
        | ~Q(work_end=defaults.work_end)
    )
    saved = set(NotificationSettings.objects.filter(differs).values_list("pk", flat=True))
    # The JSON choices are compared in Python: equality of JSON values differs between databases.
    for pk, muted, emailed, days in NotificationSettings.objects.exclude(pk__in=saved).values_list(
        "pk", "muted_kinds", "email_kinds", "work_days"
    ):
        if muted or emailed or sorted(days or []) != defaults.work_days:
            saved.add(pk)
    NotificationSettings.objects.filter(pk__in=saved).update(saved_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_decision_kind"),
    ]

    operations = [
        migrations.AddField(
            model_name="notificationsettings",
            name="saved_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="notificationsettings",
            name="first_steps_dismissed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(mark_saved_settings, migrations.RunPython.noop),
    ]
