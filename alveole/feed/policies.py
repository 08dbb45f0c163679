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
from alveole.spaces.models import Contributors, HeldFor, Space, SpaceMembership

from .models import Comment, Post, Review


def may_start_posts(actor: User) -> bool:
    return not actor.is_guest or actor.org.guests_may_post


def check_may_start_posts(actor: User) -> None:
    if not may_start_posts(actor):
        raise PermissionDenied(_("Your organisation lets guests comment only."))


# --- a space's moderation policy (Space.posters / commenters / hold_posts / hold_comments) ---------


def may_contribute(actor: User, space: Space | None, membership: SpaceMembership | None, *, comment: bool) -> bool:
    """Whether the space lets `actor` post (or comment): everyone, or its managers only (org admins
    who manage the space count as managers). Profile posts have no such policy."""
    if space is None:
        return True
    who = space.commenters if comment else space.posters
    return who != Contributors.MANAGERS or can_manage(actor, space, membership)


def check_may_contribute(
    actor: User, space: Space | None, membership: SpaceMembership | None, *, comment: bool
) -> None:
    if may_contribute(actor, space, membership, comment=comment):
        return
    if comment:
        raise PermissionDenied(_("Only the managers of this space can comment in it."))
    raise PermissionDenied(_("Only the managers of this space can post in it; you can still comment."))


def is_newcomer(actor: User, membership: SpaceMembership | None) -> bool:
    """A guest, someone not in the space (a comment in an open space), or a member who joined it less
    than ALVEOLE_NEWCOMER_DAYS days ago."""
    if actor.is_guest or membership is None:
        return True
    return timezone.now() - membership.joined_at < timedelta(days=settings.ALVEOLE_NEWCOMER_DAYS)


def is_held(actor: User, space: Space | None, membership: SpaceMembership | None, *, comment: bool) -> bool:
    """Whether what `actor` writes in `space` waits for a manager's validation. Managers and the
    organisation's admins are never held; profile posts never are."""
    if space is None:
        return False
    held_for = space.hold_comments if comment else space.hold_posts
    if held_for == HeldFor.NOBODY or actor.is_org_admin or can_manage(actor, space, membership):
        return False
    if held_for == HeldFor.GUESTS:
        return actor.is_guest
    if held_for == HeldFor.NEWCOMERS:
        return is_newcomer(actor, membership)
    return True  # HeldFor.EVERYONE: everyone but managers


def review_of_new(actor: User, space: Space | None, membership: SpaceMembership | None, *, comment: bool) -> str:
    """The one rule for something new: refuses it when the space does not let `actor` contribute,
    otherwise says whether it starts published or held (a Review value)."""
    check_may_contribute(actor, space, membership, comment=comment)
    return Review.HELD if is_held(actor, space, membership, comment=comment) else Review.PUBLISHED


def _post_of(obj: Post | Comment) -> Post:
    return obj.post if isinstance(obj, Comment) else obj


def _is_moderator(actor: User, post: Post) -> bool:
    if post.space is None:
        return actor.is_org_admin and actor.organisation_id == post.organisation_id
    return can_manage(actor, post.space)


def window_open(actor: User, obj: Post | Comment) -> bool:
    """The time part of the rule alone, without a query: for templates, which know who moderates."""
    minutes = actor.org.edit_window_minutes
    return not minutes or timezone.now() - obj.created_at <= timedelta(minutes=minutes)


def within_edit_window(actor: User, obj: Post | Comment) -> bool:
    """Whether the organisation's window still lets `actor` change `obj` (managers and admins: always)."""
    if window_open(actor, obj):
        return True
    return actor.is_org_admin or _is_moderator(actor, _post_of(obj))


def check_edit_window(actor: User, obj: Post | Comment) -> None:
    if not within_edit_window(actor, obj):
        minutes = actor.org.edit_window_minutes
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
    org = actor.org
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
