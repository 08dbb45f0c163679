from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import formats, timezone

register = template.Library()


@register.filter
def when(value: str | None) -> str:
    """An ISO date-time from the export's JSON, written for people (in the export's language)."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "DATETIME_FORMAT")
