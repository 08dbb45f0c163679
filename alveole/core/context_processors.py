from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def alveole(request: HttpRequest) -> dict:
    return {"ALVEOLE_PRODUCTION": settings.PRODUCTION}
