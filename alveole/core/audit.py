"""The audit log: call `record` inside the transaction that makes the change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from .auditchain import canonical_time, row_hash
from .context import current_client_ip
from .models import AuditEvent

if TYPE_CHECKING:
    from alveole.accounts.models import User
    from alveole.orgs.models import Organisation

# Human labels for the audit page; the stored action name never reaches the UI. The kernel's and
# the core apps' actions are here; a feature app adds its own in `<app>/audit_labels.py`
# (`AUDIT_LABELS`), found by `labels()` — a test fails for any audited action left without one.
ACTION_LABELS = {
    "login.success": _("signed in"),
    "login.failure": _("failed to sign in"),
    "login.throttled": _("was refused sign-in after too many failures"),
    "logout": _("signed out"),
    "invitation.create": _("invited"),
    "invitation.revoke": _("revoked the invitation of"),
    "invitation.accept": _("accepted the invitation"),
    "member.create": _("created the account of"),
    "member.role": _("changed the role of"),
    "member.deactivate": _("deactivated"),
    "member.reactivate": _("reactivated"),
    "token.create": _("created an access token"),
    "token.revoke": _("revoked an access token"),
    "org.create": _("created the organisation"),
    "org.update": _("changed the organisation settings"),
    "space.create": _("created the space"),
    "space.update": _("edited the space"),
    "space.archive": _("archived the space"),
    "space.unarchive": _("restored the space"),
    "space.join": _("joined the space"),
    "space.leave": _("left the space"),
    "post.delete": _("deleted a post"),
    "export.request": _("exported"),
    "retention.set": _("set the retention period of"),
    "retention.hold": _("placed a legal hold on"),
    "retention.release": _("lifted the legal hold on"),
    "retention.delete": _("deleted expired content of"),
    "comment.delete": _("deleted a comment"),
    "space.member_add": _("added a member to the space"),
    "space.member_remove": _("removed a member from the space"),
    "space.member_role": _("changed a member's role in the space"),
}


def labels() -> dict[str, Any]:
    """Every action's label: the ones above and those of each installed app's `audit_labels` module."""
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    found: dict[str, Any] = dict(ACTION_LABELS)
    for config in apps.get_app_configs():
        module = f"{config.name}.audit_labels"
        if config.name.startswith("alveole.") and find_spec(module) is not None:
            found.update(import_module(module).AUDIT_LABELS)
    return found


def record(
    action: str,
    *,
    actor: User | None,
    organisation: Organisation | None = None,
    target: models.Model | None = None,
    label: str = "",
    ip: str | None = None,
    **data: Any,
) -> AuditEvent:
    if organisation is None and actor is not None:
        organisation = actor.organisation
    return AuditEvent.objects.create(
        organisation=organisation,
        actor=actor,
        action=action,
        target_type=(target._meta.model_name or "") if target is not None else "",
        target_id=target.pk if target is not None else None,
        target_label=(label or (str(target) if target is not None else ""))[:255],
        data=data,
        ip=ip or current_client_ip(),
    )


@dataclass(frozen=True)
class Break:
    """The first row at which a chain stops holding, and why."""

    id: int
    created_at: str
    action: str
    reason: str


def verify(organisation_id: int | None = None) -> tuple[int, Break | None]:
    """Recompute every chain (or one organisation's) in id order: (rows checked, the first break).

    A row edited in place no longer matches its own hash; a row removed, or one slipped in
    without the right link, breaks the link of the row after it (or its own). Removing the newest
    rows of a chain leaves nothing to compare with: compare the count or the last hash with a copy.
    """
    rows = AuditEvent.objects.order_by("id")
    if organisation_id is not None:
        rows = rows.filter(organisation_id=organisation_id)
    last: dict[int | None, str] = {}
    checked = 0
    for row in rows.iterator(chunk_size=2000):
        expected_prev = last.get(row.organisation_id, "")
        reason = ""
        if row.prev_hash != expected_prev:
            reason = "its link to the previous row does not match (a row before it was removed, changed or inserted)"
        elif row.hash != row_hash(row, row.prev_hash):
            reason = "its content does not match its hash (the row was changed or inserted)"
        if reason:
            return checked, Break(row.pk, canonical_time(row.created_at), row.action, reason)
        last[row.organisation_id] = row.hash
        checked += 1
    return checked, None
