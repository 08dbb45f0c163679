from __future__ import annotations

import json
from typing import Any, NoReturn

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .auditchain import row_hash

# The first key of the audit chain's PostgreSQL advisory locks (two-key form, as live/publish.py):
# a constant of ours, other than the live events' one, so the two never wait on each other.
AUDIT_LOCK_NAMESPACE = 0x41_55_44  # "AUD"


class AppendOnly(Exception):
    """Raised on any attempt to change or delete an audit row through the ORM."""


def _refuse(*_args: Any, **_kwargs: Any) -> NoReturn:
    raise AppendOnly("The audit log is append-only: its rows cannot be changed or deleted.")


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    # bulk_create would skip the chaining in `save`. Deleting a person named in the log is refused
    # too (the SET_NULL on `actor` is an update): deactivate them instead. The database itself can
    # still be edited (raw SQL, a cascade from a deleted organisation); `alveole audit verify` is
    # what catches a changed, removed or slipped-in row.
    bulk_create = _refuse
    update = _refuse
    delete = _refuse
    bulk_update = _refuse
    update_or_create = _refuse


class AuditEvent(models.Model):
    """Who did what, when, from where. Written in the same transaction as the change.

    Append-only and tamper-evident: each row's `hash` covers its content and `prev_hash`, the hash
    of the organisation's previous row (core/auditchain.py says exactly what is covered).
    """

    organisation = models.ForeignKey(
        "orgs.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=32, blank=True)
    target_id = models.BigIntegerField(null=True, blank=True)
    target_label = models.CharField(max_length=255, blank=True)
    data = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    # Set before the insert (not auto_now_add) so that the hash can cover it.
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        indexes = [models.Index(fields=["organisation", "-created_at"], name="audit_org_created")]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}:{self.target_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse()
        # Stored values as they will read back, so the hash computed now is the one verify recomputes.
        self.data = json.loads(json.dumps(self.data))
        self.ip = models.GenericIPAddressField().get_prep_value(self.ip) or None
        self.target_label = (self.target_label or "")[:255]
        with transaction.atomic(using=kwargs.get("using")):
            # One writer per chain at a time, until commit: on PostgreSQL an advisory lock on the
            # organisation (0 for the rows with none); SQLite's IMMEDIATE transactions already
            # run one writer at a time.
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    key = self.organisation_id or 0
                    cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [AUDIT_LOCK_NAMESPACE, key])
            chain = AuditEvent.objects.filter(organisation__isnull=True)
            if self.organisation_id is not None:
                chain = AuditEvent.objects.filter(organisation_id=self.organisation_id)
            latest = chain.order_by("-id").values_list("hash", flat=True).first()
            self.prev_hash = latest or ""
            self.hash = row_hash(self, self.prev_hash)
            super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse()


class WorkerHeartbeat(models.Model):
    """A job worker that is alive: it rewrites `seen_at` every few seconds. Jobs held by a worker
    whose heartbeat is older than the lease are given back to the queue (core/worker.py)."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=100, blank=True)
    pid = models.PositiveIntegerField(default=0)
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.worker_id
