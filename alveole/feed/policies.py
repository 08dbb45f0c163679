"""The organisation's policies on posts, comments and files, decided once for actions and pages.

Read from `actor.organisation` (see core/policies.py); nothing here imports `orgs`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alveole.accounts.models import User
from alveole.core import policies
from alveole.core.errors import PermissionDenied
from alveole.spaces.access import can_manage

from .models import Comment, Post


def may_start_posts(actor: User) -> bool:
    return not actor.is_guest or actor.organisation.guests_may_post


def check_may_start_posts(actor: User) -> None:
    if not may_start_posts(actor):
        raise PermissionDenied(_("Your organisation lets guests comment only."))


def _post_of(obj: Post | Comment) -> Post:
    return obj.post if isinstance(obj, Comment) else obj


def _is_moderator(actor: User, post: Post) -> bool:
    if post.space is None:
        return actor.is_org_admin and actor.organisation_id == post.organisation_id
    return can_manage(actor, post.space)


def window_open(actor: User, obj: Post | Comment) -> bool:
    """The time part of the rule alone, without a query: for templates, which know who moderates."""
    minutes = actor.organisation.edit_window_minutes
    return not minutes or timezone.now() - obj.created_at <= timedelta(minutes=minutes)


def within_edit_window(actor: User, obj: Post | Comment) -> bool:
    """Whether the organisation's window still lets `actor` change `obj` (managers and admins: always)."""
    if window_open(actor, obj):
        return True
    return actor.is_org_admin or _is_moderator(actor, _post_of(obj))


def check_edit_window(actor: User, obj: Post | Comment) -> None:
    if not within_edit_window(actor, obj):
        minutes = actor.organisation.edit_window_minutes
        raise PermissionDenied(
            ngettext(
                "Your organisation lets people edit or delete what they wrote for %(minutes)d minute only; "
                "ask a space manager.",
                "Your organisation lets people edit or delete what they wrote for %(minutes)d minutes only; "
                "ask a space manager.",
                minutes,
            )
            % {"minutes": minutes}
        )


@dataclass(frozen=True)
class UploadRules:
    content_types: frozenset[str]
    max_bytes: int
    accept: str
    kinds: str

    @property
    def max_mb(self) -> int:
        return self.max_bytes // 1024 // 1024


def upload_rules(actor: User) -> UploadRules:
    """What `actor` may upload: the organisation's families and size, never above the deployment's."""
    org = actor.organisation
    families = [f for f in (org.upload_families or []) if f in policies.FILE_FAMILIES]
    limit = settings.ALVEOLE_UPLOAD_MAX_BYTES
    if org.upload_max_mb:
        limit = min(limit, org.upload_max_mb * 1024 * 1024)
    return UploadRules(
        content_types=policies.allowed_content_types(families),
        max_bytes=limit,
        accept=policies.accept_attribute(families),
        kinds=policies.family_labels(families),
    )
