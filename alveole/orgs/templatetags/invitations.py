"""What a space's members page shows of the organisation's invitations: spaces sits below orgs, so the
page asks here rather than importing it."""

from __future__ import annotations

from typing import Any

from django import template

from alveole.spaces.models import Space

from ..access import guest_invitations_in
from ..models import Invitation

register = template.Library()


@register.simple_tag(takes_context=True)
def pending_guest_invitations(context: dict[str, Any], space: Space) -> list[Invitation]:
    """The pending guest invitations into `space` the viewer may revoke (orgs.access.guest_invitations_in)."""
    return list(guest_invitations_in(context["request"].user, space))
