"""GET /healthz: is this process able to serve? Used by load balancers and `make run`."""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django_tasks_db.models import DBTaskResult

from .models import WorkerHeartbeat
from .worker import embedded_worker


def _check_database() -> dict:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy"
        return {"status": "error", "error": exc.__class__.__name__}
    return {"status": "ok", "vendor": connection.vendor, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _check_redis() -> dict:
    if not settings.REDIS_URL:
        return {"status": "not configured"}
    import redis

    started = time.perf_counter()
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:  # noqa: BLE001
        return {"status": "error", "error": exc.__class__.__name__}
    return {"status": "ok", "ms": round((time.perf_counter() - started) * 1000, 1)}


def _check_jobs() -> dict:
    """The queue as workers see it: live workers, and how long the oldest waiting job has waited.

    In the embedded set-up this process owns the worker, so a dead worker thread is an error here.
    Otherwise workers are separate processes: their absence or a stuck queue is reported, and the
    status is "error" so monitoring notices, while the web process itself stays in service.
    """
    now = timezone.now()
    try:
        lease = timedelta(seconds=settings.ALVEOLE_JOB_LEASE_SECONDS)
        workers = WorkerHeartbeat.objects.filter(seen_at__gte=now - lease).count()
        oldest = DBTaskResult.objects.ready().order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    except Exception as exc:  # noqa: BLE001
        return {"status": "error", "error": exc.__class__.__name__}
    waited = round((now - oldest).total_seconds(), 1) if oldest is not None else 0.0
    result: dict = {"status": "ok", "workers": workers, "oldest_waiting_seconds": waited}
    embedded = embedded_worker()
    if embedded is not None and not embedded[0].is_alive():
        result.update(status="error", error="the embedded worker thread has stopped")
    elif oldest is not None and waited > settings.ALVEOLE_JOB_STUCK_SECONDS:
        result.update(status="error", error="jobs are waiting longer than ALVEOLE_JOB_STUCK_SECONDS")
    elif oldest is not None and workers == 0:
        result.update(status="error", error="no job worker is running")
    return result


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _check_database(), "redis": _check_redis(), "jobs": _check_jobs()}
    serving = all(checks[name]["status"] in {"ok", "not configured"} for name in ("database", "redis"))
    # A dead embedded worker is this process's own failure; a missing external worker is not.
    serving = serving and not (embedded_worker_dead() and checks["jobs"]["status"] == "error")
    status = "ok" if serving and checks["jobs"]["status"] == "ok" else ("degraded" if serving else "error")
    return JsonResponse({"status": status, **checks}, status=200 if serving else 503)


def embedded_worker_dead() -> bool:
    embedded = embedded_worker()
    return embedded is not None and not embedded[0].is_alive()
