"""The retention panel, shown on the organisation's and a space's settings pages: those pages include it
by name, so the settings pages do not depend on how retention is stored."""

from __future__ import annotations

from typing import Any

from django import template

from alveole.exports.retention import policy_of
from alveole.spaces.models import Space

register = template.Library()


@register.inclusion_tag("exports/_retention.html", takes_context=True)
def retention_panel(context: template.Context, space: Space | None = None) -> dict[str, Any]:
    user = context["user"]
    return {
        "space": space,
        "retention": policy_of(user.organisation_id, space),
        "user": user,
        "csrf_token": context.get("csrf_token"),
    }
