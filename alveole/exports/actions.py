"""Asking for an export: re-enter the password, be allowed, be audited; the ZIP is built by a job."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from alveole.accounts.models import User
from alveole.accounts.throttle import check_password_again
from alveole.core import audit
from alveole.core.errors import Invalid, PermissionDenied
from alveole.core.jobs import enqueue_job
from alveole.spaces.access import can_manage
from alveole.spaces.models import Space

from . import jobs
from .models import Export
from .selectors import confidential_refusal, is_confidential, may_export_confidential


def request_export(actor: User, *, space: Space | None, password: str) -> Export:
    """A space's managers export their space; an organisation's owners export everything.

    A confidential space (restricted label) is exported by owners only; in any other space, posts
    raised to a confidential label are left out of a non-owner's export (jobs.build_export).

    The password is checked before the transaction: the audit row of a wrong one must stay, as
    must the one of a refusal."""
    refusal = None
    if space is None:
        if not actor.is_owner:
            refusal = _("Only the organisation's owners can export everything.")
    elif not (can_manage(actor, space) or actor.is_owner) or space.organisation_id != actor.organisation_id:
        refusal = _("Only the space's managers can export it.")
    elif is_confidential(space) and not may_export_confidential(actor):
        refusal = confidential_refusal(space)
    if refusal is not None:
        # A space of another organisation is not named in this organisation's log.
        target = space if space is not None and space.organisation_id == actor.organisation_id else actor.organisation
        audit.record("export.request.denied", actor=actor, target=target, everything=space is None, reason=str(refusal))
        raise PermissionDenied(refusal)
    # The sign-in limits apply: 429 once over them, even with the right password.
    if not check_password_again(actor, password, step="export"):
        raise Invalid(fields={"password": _("Enter your password again to confirm the export.")})
    with transaction.atomic():
        export = Export.objects.create(organisation_id=actor.org_id, requested_by=actor, space=space)
        audit.record("export.request", actor=actor, target=space or actor.organisation, export=export.pk)
        enqueue_job(jobs.build_export, export.pk)
    return export


def request_personal_export(actor: User, *, password: str) -> Export:
    """Anyone exports their own direct messages: every conversation they take part in, nothing else.

    Nobody else's export holds a conversation, except an owners' export of everything when the
    organisation's policy says so (jobs.build_export)."""
    if not actor.is_active or actor.organisation_id is None:
        raise PermissionDenied()
    if not check_password_again(actor, password, step="export"):
        raise Invalid(fields={"password": _("Enter your password again to confirm the export.")})
    with transaction.atomic():
        export = Export.objects.create(organisation_id=actor.org_id, requested_by=actor, personal=True)
        audit.record("export.personal", actor=actor, target=actor, export=export.pk)
        enqueue_job(jobs.build_export, export.pk)
    return export
