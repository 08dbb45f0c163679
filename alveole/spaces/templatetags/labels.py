"""Confidentiality labels in templates: what a card, a space's header or a page shows (spaces.labels).

The filters read the labels already joined to the rows (spaces.labels.FEED_JOINS): no query per card.
"""

from __future__ import annotations

from typing import Any

from django import template

from .. import labels as rule
from ..models import Label, Space

register = template.Library()


@register.filter
def post_label(post: Any) -> Label | None:
    """A post's label when it is above the organisation's lowest (None otherwise: no badge)."""
    return rule.post_label(post) if post is not None else None


@register.filter
def space_label(space: Space | None) -> Label | None:
    """A space's label when it is above the organisation's lowest."""
    return rule.space_label(space)


@register.filter
def confidential(item: Any) -> bool:
    """Restricted content: never shared out of its space, never in an email or a calendar."""
    return rule.is_restricted(item)


@register.simple_tag
def label_of_space(space: Space) -> Label | None:
    """The label a space's pages show, the lowest one included (one query when the space has none)."""
    return rule.space_label(space) or rule.lowest_label(space.organisation_id)
