"""Template helpers that hide what the organisation's policies refuse (the actions refuse it too)."""

from __future__ import annotations

from django import template

from alveole.accounts.models import User
from alveole.spaces.models import Space, SpaceMembership

from .. import policies

register = template.Library()


@register.filter
def may_start_posts(user: User) -> bool:
    return policies.may_start_posts(user)


@register.filter
def upload_rules(user: User) -> policies.UploadRules:
    return policies.upload_rules(user)


@register.filter
def window_open(obj: object, user: User) -> bool:
    """`{% if post|window_open:user %}`: the edit window's time part; the card adds "or moderates" from
    what it already knows (`managed`, `can_moderate`), so a feed page costs no query per card."""
    return policies.window_open(user, obj)  # type: ignore[arg-type]


@register.simple_tag
def posting_rule(user: User, space: Space | None, membership: SpaceMembership | None) -> str:
    """`{% posting_rule user space membership as rule %}`: "managers" when only the space's managers
    post in it, "held" when the viewer's posts wait for validation, "" when they publish at once."""
    if not policies.may_contribute(user, space, membership, comment=False):
        return "managers"
    return "held" if policies.is_held(user, space, membership, comment=False) else ""
