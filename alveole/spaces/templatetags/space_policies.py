"""Template filters that hide what the organisation's policies refuse (the actions refuse it too)."""

from __future__ import annotations

from django import template

from alveole.accounts.models import User

from ..policies import may_create_space as _may_create_space

register = template.Library()


@register.filter
def may_create_space(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and _may_create_space(user)
