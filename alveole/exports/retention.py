"""Retention: content older than the period is deleted, unless the space is under legal hold.

Both the deletions and the holds are audited. Deleting is final (no soft delete
here: this is what a retention policy promises), and removes the files too.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from alveole.accounts.models import User
from alveole.core import audit
from alveole.core.errors import Invalid, PermissionDenied
from alveole.feed.actions import expire_posts
from alveole.feed.files import remove
from alveole.feed.models import Post
from alveole.orgs.models import Organisation
from alveole.spaces.access import can_manage
from alveole.spaces.models import Space

from .models import RetentionPolicy

MIN_DAYS = 30
# A hundred years: longer is "for ever" (empty), and bigger numbers overflow the date arithmetic.
MAX_DAYS = 36_500


def _clean_days(days: int | None) -> int | None:
    if days is not None and not MIN_DAYS <= days <= MAX_DAYS:
        message = _("Keep content between %(min)d and %(max)d days, or leave empty to keep it for ever.") % {
            "min": MIN_DAYS,
            "max": MAX_DAYS,
        }
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
    policy = policy_of(actor.org_id, space)
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
    """Delete what every retention period says is too old; returns how many posts went.

    Spaces follow their own period or the organisation's; posts on people's profiles (no space)
    follow the organisation's. Deletion goes through the feed's action, so it is published live.
    """
    now = timezone.now()
    org_days: dict[int, int] = {
        p.organisation_id: p.days
        for p in RetentionPolicy.objects.filter(space__isnull=True, days__isnull=False)
        if p.days is not None
    }
    deleted = 0
    for space in Space.objects.select_related("retention", "organisation").iterator():
        policy = getattr(space, "retention", None)
        if policy is not None and policy.legal_hold:
            continue
        days = policy.days if policy is not None and policy.days is not None else org_days.get(space.organisation_id)
        if days is None:
            continue
        deleted += _purge(
            Post.objects.filter(space=space, created_at__lt=now - timedelta(days=days)),
            organisation=space.organisation, target=space, days=days,
        )  # fmt: skip
    for organisation in Organisation.objects.filter(pk__in=org_days):
        days = org_days[organisation.pk]
        on_profiles = Post.objects.filter(organisation=organisation, space__isnull=True)
        deleted += _purge(
            on_profiles.filter(created_at__lt=now - timedelta(days=days)),
            organisation=organisation, target=organisation, days=days,
        )  # fmt: skip
    return deleted


@transaction.atomic
def _purge(posts: QuerySet[Post], *, organisation: Organisation, target: Space | Organisation, days: int) -> int:
    count, names = expire_posts(posts)
    if not count:
        return 0
    audit.record("retention.delete", actor=None, organisation=organisation, target=target, posts=count, days=days)
    # Files go once the rows are gone for good.
    transaction.on_commit(lambda: _remove_files(names))
    return count


def _remove_files(names: list[str]) -> None:
    for name in names:
        remove(name)
