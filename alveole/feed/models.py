from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PostKind(models.TextChoices):
    UPDATE = "update", _("Update")
    QUESTION = "question", _("Question")
    ANNOUNCEMENT = "announcement", _("Announcement")


class Review(models.TextChoices):
    """Where a post or comment stands with the space's moderation (Space.hold_posts / hold_comments)."""

    PUBLISHED = "published", _("Published")
    HELD = "held", _("Waiting for validation")
    REFUSED = "refused", _("Refused")


class Topic(models.Model):
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=50)  # lower case: the identity of the topic
    label = models.CharField(max_length=50)  # as first typed
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="unique_topic_per_org")]

    def __str__(self) -> str:
        return f"#{self.label}"


class Post(models.Model):
    """A post in a space, or (space empty) on its author's profile for their followers."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    space = models.ForeignKey("spaces.Space", null=True, blank=True, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts")
    kind = models.CharField(max_length=16, choices=PostKind.choices, default=PostKind.UPDATE)
    body = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    is_share = models.BooleanField(default=False)
    shared_post = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="shares")
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Hidden by a moderator after a report: its author and the space's managers still see it, marked.
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Moderation before publication: a held item is seen by its author and the space's managers only;
    # approval publishes it with its original created_at (published_at: now); a refusal tells its author why.
    review = models.CharField(max_length=10, choices=Review.choices, default=Review.PUBLISHED)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.TextField(blank=True)
    # When readers could first see it: its creation, or its approval; empty while held or refused. What
    # is news since a date (catch-up, digests) goes by this; pages show and sort by created_at.
    # Set for rows made published by default (fixtures, factories); the actions write None while held.
    published_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    # Raises the space's confidentiality label for this post alone (never lowers it); empty: the space's.
    label = models.ForeignKey("spaces.Label", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    pinned_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    # Kept on the row so that a feed page needs no COUNT per post.
    comment_count = models.PositiveIntegerField(default=0)
    reaction_count = models.PositiveIntegerField(default=0)
    topics = models.ManyToManyField(Topic, blank=True, related_name="posts")
    # Chosen by the client (a UUID) so that sending the same post twice — a double tap, a retry, the
    # offline outbox flushing again — creates it once: the unique constraint below is what guarantees it.
    idempotency_key = models.UUIDField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["author", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="unique_post_idempotency_key",
            )
        ]
        indexes = [
            # Each serves one feed's cursor query: newest first, id breaking ties.
            models.Index(fields=["space", "-created_at", "-id"], name="post_space_feed"),
            models.Index(fields=["author", "-created_at", "-id"], name="post_author_feed"),
            models.Index(fields=["organisation", "-created_at", "-id"], name="post_org_feed"),
            # Pinned posts are few: a partial index keeps "pinned first" from scanning the space.
            models.Index(
                fields=["space", "-pinned_at"], condition=Q(pinned_at__isnull=False), name="post_space_pinned"
            ),
            # The moderation queue: few rows wait, so a partial index keeps it off the feed's indexes.
            models.Index(fields=["space", "created_at"], condition=~Q(review="published"), name="post_review_queue"),
        ]

    def __str__(self) -> str:
        return f"post {self.pk}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class PostRevision(models.Model):
    """A previous version of a post's text, kept when it is edited."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"revision of post {self.post_id}"


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments")
    body = models.TextField()
    body_html = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)  # as Post.hidden_at
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_answer = models.BooleanField(default=False)
    # As Post.review.
    review = models.CharField(max_length=10, choices=Review.choices, default=Review.PUBLISHED)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True, default=timezone.now)  # as Post.published_at

    class Meta:
        indexes = [
            models.Index(fields=["post", "created_at", "id"], name="comment_post_time"),
            models.Index(fields=["post", "created_at"], condition=~Q(review="published"), name="comment_review_queue"),
        ]

    def __str__(self) -> str:
        return f"comment {self.pk}"


class Reaction(models.Model):
    """One reaction per person per post; choosing another replaces it."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # Exactly one emoji, fully qualified (feed.reactions.normalize checks it with the `emoji` package).
    kind = models.CharField(max_length=32, default="👍")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="one_reaction_per_post")]

    def __str__(self) -> str:
        return f"{self.kind} on post {self.post_id}"


class Mention(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mentions")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["user", "post"], name="mention_user_post")]

    def __str__(self) -> str:
        return f"mention of {self.user_id} in post {self.post_id}"


class Follow(models.Model):
    """Someone follows a person, a space or a topic (exactly one of them)."""

    follower = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="followers"
    )
    space = models.ForeignKey("spaces.Space", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.CASCADE, related_name="followers")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(person__isnull=False, space__isnull=True, topic__isnull=True)
                    | Q(person__isnull=True, space__isnull=False, topic__isnull=True)
                    | Q(person__isnull=True, space__isnull=True, topic__isnull=False)
                ),
                name="follow_exactly_one_target",
            ),
            models.UniqueConstraint(fields=["follower", "person"], name="unique_follow_person"),
            models.UniqueConstraint(fields=["follower", "space"], name="unique_follow_space"),
            models.UniqueConstraint(fields=["follower", "topic"], name="unique_follow_topic"),
        ]

    def __str__(self) -> str:
        return f"follow by {self.follower_id}"


class StoredFileFields(models.Model):
    """What every stored file row records (feed.files.StoredUpload.columns): the bytes live outside the
    web root under `storage_name`, images with a WebP thumbnail beside them."""

    storage_name = models.CharField(max_length=200, unique=True)
    thumbnail_name = models.CharField(max_length=200, blank=True)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return bool(self.thumbnail_name)

    @classmethod
    def unsent_files(cls) -> models.QuerySet[Any]:
        """Rows uploaded and not attached to anything yet (feed.jobs deletes them when too old)."""
        raise NotImplementedError


class Attachment(StoredFileFields):
    """An uploaded file of a post or comment."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    uploader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")

    class Meta:
        indexes = [models.Index(fields=["uploader", "post"], name="attachment_uploader")]

    @classmethod
    def unsent_files(cls) -> models.QuerySet[Attachment]:
        return cls.objects.filter(post__isnull=True, comment__isnull=True)


class PostRead(models.Model):
    """Someone saw a post (recorded in batches by the client)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reads")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="one_read_per_post")]
        indexes = [models.Index(fields=["post", "read_at"], name="read_post_time")]

    def __str__(self) -> str:
        return f"read of post {self.post_id} by {self.user_id}"
