"""Turn what happened below (the feed, spaces) into notification jobs. Receivers run inside the action's
transaction, so a job is written with its change or not at all (core.jobs.enqueue_job)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from alveole.core.jobs import enqueue_job
from alveole.feed import signals as feed_signals
from alveole.spaces import signals as space_signals

from . import actions, jobs, signals
from .models import Notification, PushSubscription


@receiver(feed_signals.post_published)
def on_post_published(sender: Any, *, post_id: int, **kwargs: Any) -> None:
    enqueue_job(jobs.post_published, post_id)


@receiver(feed_signals.comment_published)
def on_comment_published(sender: Any, *, comment_id: int, **kwargs: Any) -> None:
    enqueue_job(jobs.comment_published, comment_id)


@receiver(feed_signals.item_held)
def on_item_held(sender: Any, *, post_id: int, comment_id: int | None, **kwargs: Any) -> None:
    enqueue_job(jobs.item_held, post_id, comment_id)


@receiver(feed_signals.held_item_withdrawn)
def on_held_item_withdrawn(sender: Any, *, space_id: int, **kwargs: Any) -> None:
    actions.clear_queue_lines(space_id)


@receiver(feed_signals.reaction_added)
def on_reaction_added(sender: Any, *, post_id: int, user_id: int, **kwargs: Any) -> None:
    enqueue_job(jobs.reaction_added, post_id, user_id)


@receiver(space_signals.member_added)
def on_member_added(sender: Any, *, space_id: int, user_id: int, actor_id: int, **kwargs: Any) -> None:
    enqueue_job(jobs.member_added, space_id, user_id, actor_id)


@receiver(signals.line_created)
def on_line_created(sender: Any, *, notification: Notification, **kwargs: Any) -> None:
    # Only people with a device to push to cost a job row.
    if PushSubscription.objects.filter(user_id=notification.user_id).exists():
        enqueue_job(jobs.deliver_push, notification.pk)
