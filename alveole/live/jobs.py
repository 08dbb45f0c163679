"""Background jobs of the live layer."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from .models import Event


@task()
def prune_events() -> int:
    """Forget events older than ALVEOLE_LIVE_EVENT_DAYS: clients further behind are told to resync.

    The newest event of each organisation is kept whatever its age, so numbering goes on from it.
    """
    cutoff = timezone.now() - timedelta(days=settings.ALVEOLE_LIVE_EVENT_DAYS)
    deleted = 0
    for org_id in Event.objects.values_list("organisation_id", flat=True).distinct():
        newest = Event.objects.filter(organisation_id=org_id).order_by("-seq").values_list("seq", flat=True).first()
        deleted += Event.objects.filter(organisation_id=org_id, created_at__lt=cutoff, seq__lt=newest).delete()[0]
    return deleted


# On the shared schedule (alveole.core.periodic finds it).
PERIODIC = [(prune_events, 3600)]
