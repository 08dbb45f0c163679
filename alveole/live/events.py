"""Every live event type, by its wire name (the schemas live in each domain's events.py)."""

from __future__ import annotations

from alveole.feed import events as feed_events
from alveole.orgs import events as org_events
from alveole.projects import events as project_events
from alveole.spaces import events as space_events

from .publish import LiveEvent


def registry() -> dict[str, type[LiveEvent]]:
    found: dict[str, type[LiveEvent]] = {}
    for module in (feed_events, space_events, org_events, project_events):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, LiveEvent) and value is not LiveEvent:
                found[value.model_fields["type"].default] = value
    return found
