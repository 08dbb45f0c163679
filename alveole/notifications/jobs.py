"""Background jobs that turn what happened into notifications. They take ids, reload, and are idempotent
enough: a notification joins the unread line about the same thing instead of adding one."""

from __future__ import annotations

from django_tasks import task

from alveole.accounts.models import User
from alveole.core.jobs import own_transactions
from alveole.feed.access import visible_posts
from alveole.feed.models import Comment, Mention, Post, Review
from alveole.spaces.models import SpaceRole

from . import actions, push
from .models import Kind


def _can_see(user: User, post: Post) -> bool:
    return visible_posts(user, published=True).filter(pk=post.pk).exists()


@task()
def post_published(post_id: int) -> None:
    post = Post.objects.select_related("author").filter(pk=post_id, deleted_at__isnull=True).first()
    if post is None or post.review != Review.PUBLISHED:  # held: told on approval
        return
    for mention in Mention.objects.filter(post=post, comment__isnull=True).select_related("user"):
        if _can_see(mention.user, post):
            actions.notify(mention.user, kind=Kind.MENTION, actor=post.author, post_id=post.pk, space_id=post.space_id)


@task()
def comment_published(comment_id: int) -> None:
    comment = (
        Comment.objects.select_related("author", "post", "post__author", "parent__author")
        .filter(pk=comment_id, deleted_at__isnull=True, review=Review.PUBLISHED)
        .first()
    )
    if comment is None:
        return
    post, author = comment.post, comment.author
    told: set[int] = {author.pk}
    for mention in Mention.objects.filter(comment=comment).select_related("user"):
        if mention.user_id not in told and _can_see(mention.user, post):
            actions.notify(mention.user, kind=Kind.MENTION, actor=author, post_id=post.pk, comment_id=comment.pk,
                           space_id=post.space_id)  # fmt: skip
            told.add(mention.user_id)
    repliers = [post.author] + ([comment.parent.author] if comment.parent is not None else [])
    for person in repliers:
        if person.pk not in told and _can_see(person, post):
            actions.notify(person, kind=Kind.REPLY, actor=author, post_id=post.pk, comment_id=comment.pk,
                           space_id=post.space_id)  # fmt: skip
            told.add(person.pk)


@task()
def reaction_added(post_id: int, user_id: int) -> None:
    post = Post.objects.select_related("author").filter(pk=post_id, deleted_at__isnull=True).first()
    actor = User.objects.filter(pk=user_id).first()
    if post is None or actor is None:
        return
    actions.notify(post.author, kind=Kind.REACTION, actor=actor, post_id=post.pk, space_id=post.space_id)


@task()
def member_added(space_id: int, user_id: int, actor_id: int) -> None:
    user = User.objects.filter(pk=user_id).first()
    actor = User.objects.filter(pk=actor_id).first()
    if user is None or actor is None:
        return
    actions.notify(user, kind=Kind.SPACE_ADDED, actor=actor, space_id=space_id)


@task()
def item_held(post_id: int, comment_id: int | None) -> None:
    """Tell the space's managers that a post or comment waits for them (one line per space, grouped)."""
    post = Post.objects.select_related("author").filter(pk=post_id, deleted_at__isnull=True).first()
    if post is None or post.space_id is None:
        return
    item: Post | Comment | None = post
    if comment_id is not None:
        item = Comment.objects.select_related("author").filter(pk=comment_id, deleted_at__isnull=True).first()
    if item is None or item.review != Review.HELD:  # decided (or deleted) before the job ran
        return
    managers = User.objects.filter(
        is_active=True,
        space_memberships__space_id=post.space_id,
        space_memberships__role=SpaceRole.MANAGER,
    ).exclude(pk=item.author_id)
    for manager in managers:
        actions.notify(manager, kind=Kind.QUEUE, actor=item.author, space_id=post.space_id)


@task()
@own_transactions  # a push service is called: each push is claimed (committed) before it leaves, so it leaves once
def deliver_push(notification_id: int) -> int:
    return push.deliver(notification_id)


@task()
@own_transactions
def send_held_pushes() -> int:
    """Pushes that waited for working hours, or for a push service that did not answer."""
    return push.send_held()


# On the shared schedule (alveole.core.periodic finds it).
PERIODIC = [(send_held_pushes, 60)]
