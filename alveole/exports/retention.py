"""Retention: content older than the period is deleted, unless the space is under legal hold.

Both the deletions and the holds are audited. Deleting is final (no soft delete
here: this is what a retention policy promises), and removes the files too.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from alveole.accounts.models import User
from alveole.core import audit
from alveole.core.errors import Invalid, PermissionDenied
from alveole.feed.files import remove
from alveole.feed.models import Attachment, Post
from alveole.spaces.access import can_manage
from alveole.spaces.models import Space

from .models import RetentionPolicy

MIN_DAYS = 30


def _clean_days(days: int | None) -> int | None:
    if days is not None and days < MIN_DAYS:
        message = _("Keep content at least %(n)d days, or leave empty to keep it for ever.") % {"n": MIN_DAYS}
        raise Invalid(fields={"days": message})
    return days


def policy_of(organisation_id: int, space: Space | None) -> RetentionPolicy:
    found = RetentionPolicy.objects.filter(organisation_id=organisation_id, space=space).first()
    return found or RetentionPolicy(organisation_id=organisation_id, space=space)


@transaction.atomic
def set_retention(actor: User, *, space: Space | None, days: int | None) -> RetentionPolicy:
    """Owners set the organisation's period; a space's managers set their space's."""
    if space is None and not actor.is_owner:
        raise PermissionDenied(_("Only the organisation's owners can set its retention period."))
    if space is not None and not can_manage(actor, space):
        raise PermissionDenied(_("Only the space's managers can set its retention period."))
    policy = policy_of(actor.organisation_id, space)
    policy.days = _clean_days(days)
    policy.save()
    audit.record("retention.set", actor=actor, target=space or actor.organisation, days=days)
    return policy


@transaction.atomic
def set_legal_hold(actor: User, *, space: Space, on: bool, reason: str = "") -> RetentionPolicy:
    if not actor.is_org_admin or space.organisation_id != actor.organisation_id:
        raise PermissionDenied(_("Only the organisation's owners and admins can place a legal hold."))
    reason = " ".join(reason.split())
    if on and not reason:
        raise Invalid(fields={"reason": _("Say why the space is held (a case, a request), for the record.")})
    policy = policy_of(actor.organisation_id, space)
    policy.legal_hold, policy.legal_hold_reason = on, reason[:300] if on else ""
    policy.save()
    audit.record("retention.hold" if on else "retention.release", actor=actor, target=space, reason=reason)
    return policy


@task()
def purge_expired() -> int:
    """Delete what every retention period says is too old; returns how many posts went."""
    now = timezone.now()
    org_days = {
        p.organisation_id: p.days for p in RetentionPolicy.objects.filter(space__isnull=True, days__isnull=False)
    }
    deleted = 0
    for space in Space.objects.select_related("retention").iterator():
        policy = getattr(space, "retention", None)
        if policy is not None and policy.legal_hold:
            continue
        days = policy.days if policy is not None and policy.days is not None else org_days.get(space.organisation_id)
        if days is None:
            continue
        deleted += _purge_space(space, before=now - timedelta(days=days), days=days)
    return deleted


@transaction.atomic
def _purge_space(space: Space, *, before: datetime, days: int) -> int:
    posts = Post.objects.filter(space=space, created_at__lt=before)
    names = list(Attachment.objects.filter(post__in=posts).values_list("storage_name", "thumbnail_name")) + list(
        Attachment.objects.filter(comment__post__in=posts).values_list("storage_name", "thumbnail_name")
    )
    count = posts.count()
    if not count:
        return 0
    posts.delete()
    audit.record("retention.delete", actor=None, organisation=space.organisation, target=space, posts=count, days=days)
    # Files go once the rows are gone for good.
    transaction.on_commit(lambda: _remove_files(names))
    return count


def _remove_files(names: list[tuple[str, str]]) -> None:
    for pair in names:
        for name in pair:
            remove(name)
