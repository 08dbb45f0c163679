from __future__ import annotations

from alveole.spaces.models import Space

from .models import SpaceMailSettings


def mail_settings_of(space: Space) -> SpaceMailSettings:
    """The space's email settings, or the defaults (unsaved): no text in emails, no address."""
    return SpaceMailSettings.objects.filter(space=space).first() or SpaceMailSettings(space=space)
