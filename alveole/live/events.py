"""Every live event type, by its wire name, found in each installed app's `events.py`."""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps

from .publish import LiveEvent


def registry() -> dict[str, type[LiveEvent]]:
    """Discovered, not listed: an app that adds an events module is known without editing this."""
    found: dict[str, type[LiveEvent]] = {}
    for config in apps.get_app_configs():
        name = f"{config.name}.events"
        if not config.name.startswith("alveole.") or find_spec(name) is None:
            continue
        for value in vars(import_module(name)).values():
            if isinstance(value, type) and issubclass(value, LiveEvent) and value is not LiveEvent:
                found[value.model_fields["type"].default] = value
    return found
