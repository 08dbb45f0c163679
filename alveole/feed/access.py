"""The one door to posts, comments and files: every lookup starts from the viewer."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from alveole.accounts.models import Role, User
from alveole.core.errors import NotFound
from alveole.spaces import labels
from alveole.spaces.access import visible_spaces
from alveole.spaces.models import Space, SpaceMembership, SpaceRole, Visibility

from .models import Attachment, Comment, Follow, Post, Review, Topic


def shown_unless_hidden(viewer: User, *, post: str = "") -> Q:
    """The one rule for items a moderator hid, held for validation, or refused.

    Hidden and held items are seen only by their author and those who moderate them: the managers of
    the item's space and the organisation's admins (who manage every space they can see, and profile
    posts). A refused item is seen by its author alone (with the reason). `post` is the path from the
    filtered model to its post ("" for posts, "post__" for comments). A subquery, never an extra query.
    """
    mine = Q(author_id=viewer.pk)
    if viewer.is_org_admin:
        return ~Q(review=Review.REFUSED) | mine
    managed = SpaceMembership.objects.filter(user_id=viewer.pk, role=SpaceRole.MANAGER).values("space_id")
    public = Q(hidden_at__isnull=True, review=Review.PUBLISHED)
    return public | mine | (Q(**{f"{post}space_id__in": managed}) & ~Q(review=Review.REFUSED))


def is_public(item: Post | Comment) -> bool:
    """Whether every reader of its post sees `item` (as far as the item itself goes)."""
    return item.hidden_at is None and item.review == Review.PUBLISHED


def hidden_readers(post: Post, item: Post | Comment | None = None) -> list[int]:
    """Who still sees `item` (default: `post`) when it or its post is hidden, held or refused, as
    shown_unless_hidden says: the authors, the space's managers and the admins — a refused item its
    author alone. The live layer sends them its events one by one."""
    objects = [post] if item is None or item is post else [post, item]
    allowed: set[int] | None = None
    moderators: set[int] | None = None
    for obj in objects:
        if is_public(obj):
            continue
        if obj.review == Review.REFUSED:
            readers = {obj.author_id}
        else:
            moderators = set(_moderators(post)) if moderators is None else moderators
            readers = {obj.author_id} | moderators
        allowed = readers if allowed is None else allowed & readers
    if allowed is None:  # nothing restricted (any more): its author and the moderators
        allowed = {(item if item is not None else post).author_id} | set(_moderators(post))
    return sorted(allowed)


def _moderators(post: Post) -> list[int]:
    """The space's managers and the admins who moderate `post` (every admin for a profile post)."""
    admins = User.objects.filter(
        organisation_id=post.organisation_id, role__in=(Role.OWNER, Role.ADMIN), is_active=True
    )
    if post.space_id is None:
        return list(admins.values_list("pk", flat=True))
    readers: set[int] = set()
    memberships = SpaceMembership.objects.filter(space_id=post.space_id)
    readers.update(memberships.filter(role=SpaceRole.MANAGER).values_list("user_id", flat=True))
    if not Space.objects.filter(pk=post.space_id, visibility=Visibility.OPEN).exists():
        admins = admins.filter(pk__in=memberships.values("user_id"))
    readers.update(admins.values_list("pk", flat=True))
    return sorted(readers)


def visible_posts(viewer: User, *, published: bool = False) -> QuerySet[Post]:
    """Posts the viewer may read: in spaces they can see, or on profiles (not for guests); hidden,
    held and refused ones only as shown_unless_hidden says.

    `published=True` leaves out held and refused posts even for those who may see them: what counts
    as news (catch-up, digests, search, unread marks, notifications) starts at publication.
    """
    if not viewer.is_authenticated or not viewer.is_active:
        return Post.objects.none()
    in_spaces = Q(space_id__in=visible_spaces(viewer).values("pk"))
    qs = Post.objects.filter(organisation_id=viewer.org_id, deleted_at__isnull=True)
    qs = qs.filter(shown_unless_hidden(viewer))
    if published:
        qs = qs.filter(review=Review.PUBLISHED)
    if viewer.is_guest:
        # Guests are never let into confidential content (spaces.labels); this is the backstop.
        return qs.filter(in_spaces).exclude(labels.restricted_posts())
    return qs.filter(in_spaces | Q(space__isnull=True))


def visible_comments(viewer: User, *, published: bool = False) -> QuerySet[Comment]:
    """Comments the viewer may read: not deleted, under a post they may read, hidden, held and refused
    ones as the rule says (`published`: as visible_posts)."""
    qs = Comment.objects.filter(
        shown_unless_hidden(viewer, post="post__"),
        post__in=visible_posts(viewer, published=published),
        deleted_at__isnull=True,
    )
    return qs.filter(review=Review.PUBLISHED) if published else qs


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
        Topic.objects.filter(organisation_id=viewer.org_id, name=(name or "").lower())
        .filter(used_where_visible | followed)
        .first()
    )
    if topic is None:
        raise NotFound()
    return topic


def get_comment_for(viewer: User, comment_id: int | str) -> Comment:
    try:
        return visible_comments(viewer).select_related("post", "post__space", "author").get(pk=int(comment_id))
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
            | Q(comment__in=visible_comments(viewer))
            | Q(uploader=viewer, post__isnull=True, comment__isnull=True),
            organisation_id=viewer.org_id,
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
