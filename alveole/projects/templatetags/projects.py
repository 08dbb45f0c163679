from __future__ import annotations

from typing import Any

from django import template

from alveole.spaces.models import Space, SpaceKind

from ..models import ProjectPlan
from ..selectors import progress_of

register = template.Library()


@register.inclusion_tag("projects/_header_progress.html")
def project_progress(space: Space) -> dict[str, Any]:
    """Deadline and progress bar for a project space's header (nothing for teams)."""
    if space.kind != SpaceKind.PROJECT:
        return {"show": False}
    plan = ProjectPlan.objects.filter(space=space).first()
    return {"show": True, "space": space, "plan": plan, "progress": progress_of(space, plan)}
