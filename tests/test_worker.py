"""The real job queue: jobs wait in the database until a worker runs them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from alveole.core.periodic import SCHEDULE, enqueue_due
from alveole.feed import actions as feed
from alveole.live.jobs import prune_events
from alveole.live.models import Event
from alveole.notifications.models import Notification

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def run_worker(max_tasks: int) -> None:
    Worker(
        queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=max_tasks, worker_id="test", excluded_queue_names=[],
    ).run()  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_a_notification_job_waits_for_the_worker(world, settings):
    settings.TASKS = DB_QUEUE
    post, _ = feed.create_post(world.member, space=world.open_space, body="Hello")
    feed.react(world.owner, post=post, kind="like")
    assert DBTaskResult.objects.filter(status="READY").count() >= 1
    assert not Notification.objects.exists()  # nothing ran inside the request
    run_worker(max_tasks=10)
    assert Notification.objects.filter(user=world.member, kind="reaction").exists()
    assert not DBTaskResult.objects.filter(status="READY").exists()


@pytest.mark.django_db
def test_old_events_are_pruned_but_numbering_goes_on(world, settings):
    settings.ALVEOLE_LIVE_EVENT_DAYS = 1
    for n in range(3):
        feed.create_post(world.member, space=world.open_space, body=f"post {n}")
    Event.objects.update(created_at=timezone.now() - timedelta(days=3))
    assert prune_events.call() == 2
    assert list(Event.objects.values_list("seq", flat=True)) == [3]
    feed.create_post(world.member, space=world.open_space, body="after")
    assert sorted(Event.objects.values_list("seq", flat=True)) == [3, 4]


@pytest.mark.django_db(transaction=True)
def test_scheduled_jobs_are_enqueued_once_per_period(settings):
    settings.TASKS = DB_QUEUE
    first = enqueue_due(now=1_000_000.0)
    again = enqueue_due(now=1_000_001.0)  # a second scheduler, same period
    assert first == [path for path, _every in SCHEDULE] and again == []
    assert DBTaskResult.objects.count() == len(SCHEDULE)
