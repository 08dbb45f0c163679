"""Decisions' answers to questions other apps ask through signals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.dispatch import receiver

from alveole.accounts.models import User
from alveole.notifications.signals import catch_up_sections

from .selectors import awaiting_my_vote, key_decisions


@receiver(catch_up_sections)
def catch_up(sender: Any, *, viewer: User, since: datetime, spaces: QuerySet[Any], **kwargs: Any) -> dict[str, list]:
    """Votes awaiting me (soonest deadline first) and what was decided in my spaces since."""
    waiting = awaiting_my_vote(viewer)
    votes: list[Any] = sorted([*waiting.polls, *waiting.proposals], key=lambda v: v.closes_at)
    decisions = list(key_decisions(viewer, since=since, published=True).filter(space_id__in=spaces)[:20])
    return {"votes": votes, "decisions": decisions}
