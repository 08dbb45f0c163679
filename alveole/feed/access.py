"""The one door to posts, comments and files: every lookup starts from the viewer."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from alveole.accounts.models import Role, User
from alveole.core.errors import NotFound
from alveole.spaces.access import visible_spaces
from alveole.spaces.models import SpaceMembership

from .models import Attachment, Comment, Follow, Post, Topic


def visible_posts(viewer: User) -> QuerySet[Post]:
    """Posts the viewer may read: in spaces they can see, or on profiles (not for guests)."""
    if not viewer.is_authenticated or not viewer.is_active:
        return Post.objects.none()
    in_spaces = Q(space_id__in=visible_spaces(viewer).values("pk"))
    qs = Post.objects.filter(organisation_id=viewer.organisation_id, deleted_at__isnull=True)
    if viewer.is_guest:
        return qs.filter(in_spaces)
    return qs.filter(in_spaces | Q(space__isnull=True))


def get_post_for(viewer: User, post_id: int | str) -> Post:
    try:
        return visible_posts(viewer).select_related("space", "author").get(pk=int(post_id))
    except (Post.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def get_topic_for(viewer: User, name: str) -> Topic:
    """A topic the viewer knows of: used by a post they may read, or one they already follow.

    Topic names are typed freely and shared across the organisation, so a name used only
    where the viewer cannot look must answer exactly as a name nobody ever used.
    """
    if not viewer.is_authenticated or not viewer.is_active:
        raise NotFound()
    used_where_visible = Exists(
        Post.topics.through.objects.filter(topic=OuterRef("pk"), post__in=visible_posts(viewer).values("pk"))
    )
    followed = Exists(Follow.objects.filter(follower=viewer, topic=OuterRef("pk")))
    topic = (
        Topic.objects.filter(organisation_id=viewer.organisation_id, name=(name or "").lower())
        .filter(used_where_visible | followed)
        .first()
    )
    if topic is None:
        raise NotFound()
    return topic


def get_comment_for(viewer: User, comment_id: int | str) -> Comment:
    try:
        return (
            Comment.objects.filter(post__in=visible_posts(viewer), deleted_at__isnull=True)
            .select_related("post", "post__space", "author")
            .get(pk=int(comment_id))
        )
    except (Comment.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def get_attachment_for(viewer: User, attachment_id: int | str) -> Attachment:
    """A file of a visible post or comment, or one the viewer uploaded and has not attached yet."""
    if not viewer.is_authenticated:
        raise NotFound()
    posts = visible_posts(viewer)
    try:
        return Attachment.objects.filter(
            Q(post__in=posts)
            | Q(comment__post__in=posts, comment__deleted_at__isnull=True)
            | Q(uploader=viewer, post__isnull=True, comment__isnull=True),
            organisation_id=viewer.organisation_id,
        ).get(pk=int(attachment_id))
    except (Attachment.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def readable_originals(viewer: User, posts: list[Post]) -> set[int]:
    """Ids of shared originals the viewer may read through a share (two queries at most).

    A share never widens access: the viewer must be able to see the original
    itself, and content of a space with guests stays with that space's members.
    """
    originals = {p.shared_post_id for p in posts if p.shared_post_id}
    if not originals:
        return set()
    readable = list(visible_posts(viewer).filter(pk__in=originals).values_list("pk", "space_id"))
    space_ids = {space_id for _pk, space_id in readable if space_id}
    guarded: set[int] = set()
    mine: set[int] = set()
    if space_ids:
        rows = (
            SpaceMembership.objects.filter(space_id__in=space_ids)
            .filter(Q(user__role=Role.GUEST) | Q(user=viewer))
            .values_list("space_id", "user_id")
        )
        for space_id, user_id in rows:
            (mine if user_id == viewer.pk else guarded).add(space_id)
    return {pk for pk, space_id in readable if space_id not in guarded - mine}
