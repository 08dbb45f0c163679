"""Feed pages and other reads, already scoped to the viewer.

A page costs a fixed number of queries whatever its size: one for the posts
(with authors, spaces and shared originals joined), then one each for the
reactions (summary and the viewer's own), the attachments, the read marks, and
at most two for the shared originals' access.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Case, Count, Max, Q, QuerySet, Value, When
from django.utils import timezone

from alveole.accounts.models import User
from alveole.core.cursors import paginate
from alveole.core.errors import Invalid
from alveole.spaces import labels
from alveole.spaces.models import Space, SpaceMembership
from alveole.spaces.people import people_visible_to

from .access import readable_originals, shown_unless_hidden, visible_posts
from .models import Attachment, Comment, Follow, Mention, Post, PostKind, PostRead, Reaction, Review, Topic

FEED_ORDER = ("-created_at", "-id")
FILTERS = ("all", "mentions", "questions", "following")


@dataclass
class FeedItem:
    post: Post
    reactions: dict[str, int] = field(default_factory=dict)
    my_reaction: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    unread: bool = False
    original: Post | None = None  # the shared post, when the viewer may read it
    original_attachments: list[Attachment] = field(default_factory=list)

    @property
    def original_unavailable(self) -> bool:
        return self.post.is_share and self.original is None


def with_joins(qs: QuerySet[Post]) -> QuerySet[Post]:
    return qs.select_related(
        "author", "space", "shared_post", "shared_post__author", "shared_post__space", *labels.FEED_JOINS
    )


def home_posts(viewer: User, *, filter: str = "all") -> QuerySet[Post]:
    """The home feed: my spaces, followed spaces, people and topics, and my own posts."""
    follows = Follow.objects.filter(follower=viewer)
    followed_people = follows.filter(person__isnull=False).values("person_id")
    sources = (
        Q(space_id__in=SpaceMembership.objects.filter(user=viewer).values("space_id"))
        | Q(space_id__in=follows.filter(space__isnull=False).values("space_id"))
        | Q(author_id__in=followed_people)
        | Q(author_id=viewer.pk)
        | Q(pk__in=Post.topics.through.objects.filter(
            topic_id__in=follows.filter(topic__isnull=False).values("topic_id")
        ).values("post_id"))
    )  # fmt: skip
    qs = visible_posts(viewer).filter(sources)
    if filter == "mentions":
        # A mention in a comment that waits for validation (or was refused) is not there for its reader yet.
        mentions = Mention.objects.filter(Q(comment__isnull=True) | Q(comment__review=Review.PUBLISHED), user=viewer)
        qs = qs.filter(pk__in=mentions.values("post_id"))
    elif filter == "questions":
        qs = qs.filter(kind=PostKind.QUESTION)
    elif filter == "following":
        qs = qs.filter(author_id__in=followed_people)
    elif filter != "all":
        raise Invalid(fields={"filter": "Choose one of: " + ", ".join(FILTERS) + "."})
    return qs


def space_posts(viewer: User, space: Space) -> QuerySet[Post]:
    """Posts of a space the viewer may read: `space` must come from get_space_for.

    Every post of a readable space is readable, so the query needs no visibility
    subquery (the profile showed it, and its compilation, in every feed page).
    """
    if not viewer.is_authenticated or not viewer.is_active or space.organisation_id != viewer.organisation_id:
        return Post.objects.none()
    qs = Post.objects.filter(
        shown_unless_hidden(viewer), organisation_id=viewer.organisation_id, space=space, deleted_at__isnull=True
    )
    if viewer.is_guest:  # the backstop of spaces.labels: no confidential post reaches a guest
        qs = qs.exclude(label__restricted=True)
        if labels.is_restricted(space):
            return Post.objects.none()
    return qs


def topic_posts(viewer: User, topic: Topic) -> QuerySet[Post]:
    return visible_posts(viewer).filter(pk__in=Post.topics.through.objects.filter(topic=topic).values("post_id"))


def profile_posts(viewer: User, person: User) -> QuerySet[Post]:
    return visible_posts(viewer).filter(author=person)


def pinned_posts(viewer: User, space: Space) -> list[FeedItem]:
    # Most spaces pin nothing: a bare id probe on the partial index answers that without
    # building the joined query (whose compilation cost more than its execution).
    pinned = space_posts(viewer, space).filter(pinned_at__isnull=False).order_by("-pinned_at")
    ids = list(pinned.values_list("pk", flat=True)[:5])
    if not ids:
        return []
    return assemble(viewer, list(with_joins(pinned.filter(pk__in=ids))))


def feed_page(
    viewer: User, qs: QuerySet[Post], *, cursor: str | None, limit: int, space: Space | None = None
) -> tuple[list[FeedItem], str | None]:
    """One page in feed order. Give `space` when every post is in it: its row is not joined again."""
    # Joining five tables for 31 rows built five model instances per row, and shares are rare:
    # the page joins only what every row needs, and shared originals come in a second query.
    # The labels come joined (spaces.labels.FEED_JOINS): a card's badge costs no query.
    joins = ("author", "label") if space is not None else ("author", "space", *labels.FEED_JOINS)
    posts, next_cursor = paginate(qs.select_related(*joins), order=FEED_ORDER, cursor=cursor, limit=limit)
    if space is not None:
        for post in posts:
            post.space = space
    _load_originals(posts)
    return assemble(viewer, posts), next_cursor


def _load_originals(posts: list[Post]) -> None:
    """The shared originals of a page, with their authors and spaces, in one query when there are any."""
    ids = {p.shared_post_id for p in posts if p.shared_post_id}
    if not ids:
        return
    originals = Post.objects.select_related("author", "space", *labels.FEED_JOINS).in_bulk(ids)
    for post in posts:
        original = originals.get(post.shared_post_id) if post.shared_post_id else None
        if original is not None:
            post.shared_post = original


def assemble(viewer: User, posts: list[Post]) -> list[FeedItem]:
    if not posts:
        return []
    originals = readable_originals(viewer, posts)
    ids = {p.pk for p in posts} | originals
    reactions: dict[int, dict[str, int]] = defaultdict(dict)
    mine: dict[int, str] = {}
    for row in (
        Reaction.objects.filter(post_id__in=ids)
        .values("post_id", "kind")
        .annotate(n=Count("id"), me=Max(Case(When(user_id=viewer.pk, then=Value(1)), default=Value(0))))
    ):
        reactions[row["post_id"]][row["kind"]] = row["n"]
        if row["me"]:
            mine[row["post_id"]] = row["kind"]
    attachments: dict[int, list[Attachment]] = defaultdict(list)
    for attachment in Attachment.objects.filter(post_id__in=ids).order_by("id"):
        assert attachment.post_id is not None
        attachments[attachment.post_id].append(attachment)
    read = set(
        PostRead.objects.filter(user=viewer, post_id__in=[p.pk for p in posts]).values_list("post_id", flat=True)
    )
    items = []
    for post in posts:
        original = post.shared_post if post.shared_post_id in originals else None
        items.append(
            FeedItem(
                post=post,
                reactions=reactions.get(post.pk, {}),
                my_reaction=mine.get(post.pk),
                attachments=attachments.get(post.pk, []),
                # Held and refused posts are not news yet (their author and moderators see them, marked).
                unread=post.pk not in read and post.author_id != viewer.pk and post.review == Review.PUBLISHED,
                original=original,
                original_attachments=attachments.get(original.pk, []) if original else [],
            )
        )
    return items


def comments_of(viewer: User, post: Post) -> list[Comment]:
    """The comments of a post the viewer may see (check with access first), threads in order."""
    comments = list(
        Comment.objects.filter(shown_unless_hidden(viewer, post="post__"), post=post, deleted_at__isnull=True)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )
    return comments


def reactions_of(post: Post) -> QuerySet[Reaction]:
    return Reaction.objects.filter(post=post).select_related("user").order_by("-created_at")


PERIODS = {"week": 7, "month": 30}


def top_posts(viewer: User, *, by: str, period: str, space: Space | None = None, limit: int = 5) -> list[Post]:
    """The most read or most commented posts of the week or month that the viewer may see."""
    if period not in PERIODS:
        raise Invalid(fields={"period": "Choose week or month."})
    since = timezone.now() - timedelta(days=PERIODS[period])
    qs = visible_posts(viewer, published=True)
    if space is not None:
        qs = qs.filter(space=space)
    if by == "read":
        qs = qs.annotate(score=Count("reads", filter=Q(reads__read_at__gte=since)))
    elif by == "commented":
        qs = qs.annotate(
            score=Count(
                "comments",
                filter=Q(
                    comments__created_at__gte=since,
                    comments__deleted_at__isnull=True,
                    comments__review=Review.PUBLISHED,
                ),
            )
        )
    else:
        raise Invalid(fields={"by": "Choose read or commented."})
    return list(qs.filter(score__gt=0).select_related("author", "space").order_by("-score", "-created_at")[:limit])


def follows_of(viewer: User) -> QuerySet[Follow]:
    return Follow.objects.filter(follower=viewer).select_related("person", "space", "topic")


# --- topics directory ------------------------------------------------------------------------


@dataclass
class TopicRow:
    topic: Topic
    posts: int  # posts about it that the viewer may read
    last_used: datetime | None  # of the newest of those, None when only followed
    followers: int  # people following it whom the viewer may see
    following: bool


def topic_directory(viewer: User, *, limit: int | None = None) -> list[TopicRow]:
    """Every topic the viewer knows of, most used first: used by a post they may read, or followed by them.

    Counts are over what the viewer may read and whom they may see, so a topic used only in a private space or
    followed only by people out of their sight shows nothing of that: the same rule as `access.get_topic_for`.
    Four queries whatever the number of topics.
    """
    limit = limit or settings.ALVEOLE_TOPICS_LISTED
    used = (
        Post.topics.through.objects.filter(post__in=visible_posts(viewer).values("pk"))
        .values("topic_id")
        .annotate(posts=Count("post_id", distinct=True), last_used=Max("post__created_at"))
        .order_by("-posts", "topic_id")[:limit]
    )
    counts: dict[int, Any] = {row["topic_id"]: row for row in used}
    mine = set(Follow.objects.filter(follower=viewer, topic__isnull=False).values_list("topic_id", flat=True))
    ids = set(counts) | mine
    topics = Topic.objects.filter(organisation_id=viewer.org_id, pk__in=ids).in_bulk()
    followers = dict(
        Follow.objects.filter(topic_id__in=ids, follower__in=people_visible_to(viewer).values("pk"))
        .values("topic_id")
        .annotate(n=Count("follower_id", distinct=True))
        .values_list("topic_id", "n")
    )
    rows = [
        TopicRow(
            topic=topic,
            posts=counts[pk]["posts"] if pk in counts else 0,
            last_used=counts[pk]["last_used"] if pk in counts else None,
            followers=followers.get(pk, 0),
            following=pk in mine,
        )
        for pk, topic in topics.items()
    ]
    rows.sort(key=lambda r: (-r.posts, r.topic.name))
    return rows[:limit]
