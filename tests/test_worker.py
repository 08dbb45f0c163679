"""The real job queue: jobs wait in the database until a worker runs them."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from alveole.core.models import AuditEvent
from alveole.core.periodic import enqueue_due, schedule
from alveole.core.worker import JobWorker, reclaim_abandoned
from alveole.feed import actions as feed
from alveole.live.jobs import prune_events
from alveole.live.models import Event
from alveole.notifications.models import Notification

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def run_worker(max_tasks: int) -> None:
    JobWorker(worker_id="test", interval=0, max_jobs=max_tasks, stop_when_empty=True).run()


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
    assert first == [path for path, _every in schedule()] and again == []
    assert DBTaskResult.objects.count() == len(schedule())


# -- nothing is lost: the outbox, the lease, one effect per job, a worker that outlives its database --

flaky_runs: list[int] = []


@task()
def flaky_effect(marker: str) -> None:
    """Writes its effect, then fails on its first run, as a job cut short by a crash would."""
    AuditEvent.objects.create(action="test.effect", target_label=marker)
    flaky_runs.append(1)
    if len(flaky_runs) == 1:
        raise RuntimeError("cut short")


def _mention_post(world) -> None:
    feed.create_post(world.member, space=world.open_space, body=f"Hello @{world.owner.handle}")


@pytest.mark.django_db(transaction=True)
def test_the_job_is_written_in_the_same_transaction_as_its_change(world, settings):
    settings.TASKS = DB_QUEUE
    with transaction.atomic():
        _mention_post(world)
        # Before the commit, on the same connection: the job row is already part of the change.
        assert DBTaskResult.objects.filter(task_path__endswith="post_published").count() == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        _mention_post(world)
        raise RuntimeError("the change is rolled back")
    assert DBTaskResult.objects.filter(task_path__endswith="post_published").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_job_abandoned_by_a_dead_worker_runs_again_and_has_its_effect_once(world, settings):
    settings.TASKS = DB_QUEUE
    _mention_post(world)
    dead = JobWorker(worker_id="dead")
    dead.heartbeat()
    job = dead.claim()  # …and then the worker is killed: no more heartbeats
    assert job is not None and DBTaskResult.objects.get(pk=job.pk).status == "RUNNING"
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.ALVEOLE_JOB_LEASE_SECONDS + 1)):
        run_worker(max_tasks=10)
    assert DBTaskResult.objects.get(pk=job.pk).status == "SUCCESSFUL"
    assert Notification.objects.filter(user=world.owner, kind="mention").count() == 1
    run_worker(max_tasks=10)  # nothing left to run twice
    assert Notification.objects.filter(user=world.owner, kind="mention").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_live_workers_job_is_not_taken_from_it(world, settings):
    settings.TASKS = DB_QUEUE
    _mention_post(world)
    busy = JobWorker(worker_id="busy")
    job = busy.claim()
    assert job is not None
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.ALVEOLE_JOB_LEASE_SECONDS + 1)):
        busy.heartbeat()  # still beating, however long the job takes
        assert reclaim_abandoned() == 0
    assert DBTaskResult.objects.get(pk=job.pk).status == "RUNNING"


@pytest.mark.django_db(transaction=True)
def test_a_failed_job_leaves_nothing_behind_and_is_retried_with_backoff(settings):
    settings.TASKS = DB_QUEUE
    flaky_runs.clear()
    with transaction.atomic():
        result = flaky_effect.enqueue("once")
    run_worker(max_tasks=1)
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "READY" and row.run_after > timezone.now()  # retried later, not at once
    assert not AuditEvent.objects.filter(action="test.effect").exists()  # the first run left nothing
    with time_machine.travel(row.run_after + timedelta(seconds=1)):
        run_worker(max_tasks=5)
    assert DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL"
    assert AuditEvent.objects.filter(action="test.effect").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_job_that_always_fails_stops_after_the_allowed_attempts(settings):
    settings.TASKS = DB_QUEUE
    settings.ALVEOLE_JOB_MAX_ATTEMPTS = 1
    flaky_runs.clear()
    with transaction.atomic():
        result = flaky_effect.enqueue("never")
    run_worker(max_tasks=1)
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "FAILED" and "cut short" in row.traceback


@pytest.mark.django_db(transaction=True)
def test_the_worker_outlives_a_dropped_database_connection(world, settings):
    """PostgreSQL restarting kills every connection: the worker reconnects instead of exiting."""
    if connection.vendor != "postgresql":
        pytest.skip("terminating a server-side connection needs PostgreSQL (CI's second pass)")
    settings.TASKS = DB_QUEUE
    _mention_post(world)
    worker = JobWorker(worker_id="survivor", interval=0, max_jobs=1)
    worker.heartbeat()
    import psycopg

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        mine = cursor.fetchone()[0]
    db = connection.settings_dict
    with psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"]) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [mine])
    worker.run()  # the first query fails on the dead connection; the worker goes on
    assert Notification.objects.filter(user=world.owner, kind="mention").count() == 1


@pytest.mark.django_db
def test_healthz_reports_the_age_of_the_oldest_waiting_job(world, settings, client):
    settings.TASKS = DB_QUEUE
    _mention_post(world)
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.ALVEOLE_JOB_STUCK_SECONDS + 60)):
        body = client.get("/healthz").json()
    assert body["jobs"]["status"] == "error" and body["jobs"]["oldest_waiting_seconds"] > 300
    assert body["status"] == "degraded"


def test_every_periodic_job_of_every_app_is_on_the_schedule():
    """Found by discovery: a job an app puts in its PERIODIC list is scheduled with nothing else to edit."""
    paths = dict(schedule())
    assert paths["alveole.live.jobs.prune_events"] == 3600
    assert paths["alveole.exports.retention.purge_expired"] == 3600
    assert paths["alveole.mail.jobs.send_notification_emails"] == 60
    assert {"alveole.decisions.jobs.close_due_votes", "alveole.projects.jobs.send_task_reminders"} <= set(paths)
