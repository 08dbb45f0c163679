"""Who sees and settles reports: the managers of the item's space, and the organisation's admins
(every space they can see, and profile posts) — the same people feed's access lets see hidden items."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from alveole.accounts.models import User
from alveole.core.errors import NotFound, PermissionDenied
from alveole.feed.models import Comment, Post, Review
from alveole.spaces.access import can_manage, get_space_for, visible_spaces
from alveole.spaces.models import Space, SpaceMembership, SpaceRole

from .models import Report


def moderated_reports(viewer: User) -> QuerySet[Report]:
    """Every report (any status) that `viewer` may read and settle."""
    if not viewer.is_authenticated or not viewer.is_active or viewer.is_guest:
        return Report.objects.none()
    qs = Report.objects.filter(organisation_id=viewer.org_id)
    if viewer.is_org_admin:
        return qs.filter(Q(space_id__in=visible_spaces(viewer).values("pk")) | Q(space__isnull=True))
    managed = SpaceMembership.objects.filter(user_id=viewer.pk, role=SpaceRole.MANAGER).values("space_id")
    return qs.filter(space_id__in=managed)


def moderates_anything(viewer: User) -> bool:
    """Whether the moderation page has anything for `viewer` (admins always have it)."""
    if not viewer.is_authenticated or viewer.is_guest:
        return False
    return viewer.is_org_admin or SpaceMembership.objects.filter(user_id=viewer.pk, role=SpaceRole.MANAGER).exists()


def get_report_for(viewer: User, report_id: int | str) -> Report:
    try:
        return (
            moderated_reports(viewer)
            .select_related("post", "post__space", "comment", "comment__post")
            .get(pk=int(report_id))
        )
    except (Report.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def _moderated_space_ids(viewer: User) -> QuerySet:
    """The spaces whose held items `viewer` validates: the ones they manage; for admins every space they see."""
    if viewer.is_org_admin:
        return visible_spaces(viewer).values("pk")
    return SpaceMembership.objects.filter(user_id=viewer.pk, role=SpaceRole.MANAGER).values("space_id")


def moderated_spaces(viewer: User) -> QuerySet[Space]:
    """The spaces whose moderation `viewer` sees to (for the queue's filter), by name."""
    if not viewer.is_authenticated or not viewer.is_active or viewer.is_guest:
        return Space.objects.none()
    return visible_spaces(viewer).filter(pk__in=_moderated_space_ids(viewer)).order_by("name")


def moderated_posts(viewer: User) -> QuerySet[Post]:
    """Posts waiting for validation or refused (any review but published) in spaces `viewer` moderates.

    Profile posts are never held, so only spaces count."""
    if not viewer.is_authenticated or not viewer.is_active or viewer.is_guest:
        return Post.objects.none()
    return Post.objects.filter(
        organisation_id=viewer.org_id,
        space_id__in=_moderated_space_ids(viewer),
        deleted_at__isnull=True,
    ).exclude(review=Review.PUBLISHED)


def moderated_comments(viewer: User) -> QuerySet[Comment]:
    """As moderated_posts, for comments (whose post is still there)."""
    if not viewer.is_authenticated or not viewer.is_active or viewer.is_guest:
        return Comment.objects.none()
    return Comment.objects.filter(
        post__organisation_id=viewer.org_id,
        post__space_id__in=_moderated_space_ids(viewer),
        post__deleted_at__isnull=True,
        deleted_at__isnull=True,
    ).exclude(review=Review.PUBLISHED)


def get_held_post_for(viewer: User, post_id: int | str) -> Post:
    """A post waiting in a queue `viewer` moderates; NotFound for anything else (published ones too)."""
    try:
        return moderated_posts(viewer).select_related("space", "author").get(pk=int(post_id))
    except (Post.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def get_held_comment_for(viewer: User, comment_id: int | str) -> Comment:
    try:
        return moderated_comments(viewer).select_related("post", "post__space", "author").get(pk=int(comment_id))
    except (Comment.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def get_moderated_space_for(viewer: User, space_id: int | str) -> Space:
    """A space whose moderation rules `viewer` may change (its managers, the admins who manage it)."""
    space = get_space_for(viewer, space_id)
    if not can_manage(viewer, space):
        raise PermissionDenied(_("Only the space's managers can change how it is moderated."))
    return space
