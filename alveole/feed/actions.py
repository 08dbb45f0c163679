"""Every change to posts, comments, reactions, follows, files and reads goes through here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alveole.accounts.models import Role, User
from alveole.core import audit, markdown
from alveole.core.bounds import is_id
from alveole.core.errors import Conflict, Invalid, NotFound, PermissionDenied
from alveole.live.models import Audience
from alveole.live.publish import LiveEvent, publish
from alveole.spaces import labels
from alveole.spaces.access import can_manage, check_space_open_for_changes, membership_of, readers_filter
from alveole.spaces.models import Contributors, HeldFor, Label, Space, SpaceMembership
from alveole.spaces.people import people_visible_to

from . import events, files, policies, reactions, signals
from .access import hidden_readers, is_public, readable_originals, visible_posts
from .models import (
    Attachment,
    Comment,
    Follow,
    Mention,
    Post,
    PostKind,
    PostRead,
    PostRevision,
    Reaction,
    Review,
    Topic,
)


@dataclass
class MentionReport:
    """Who a text mentions: those who will be told, and those who cannot see it (told no one)."""

    reached: list[User] = field(default_factory=list)
    unreachable: list[User] = field(default_factory=list)
    whole_space: bool = False
    space_member_ids: list[int] = field(default_factory=list)  # told through @space
    # Whose name the stored text may show instead of the handle: those every reader of the text may
    # see in the people directory (the HTML is rendered once for all readers).
    nameable: set[int] = field(default_factory=set)
    # create_post found the post already made with the same idempotency key: it returned it, did nothing.
    replayed: bool = False

    @property
    def warning(self) -> str:
        if not self.unreachable:
            return ""
        names = ", ".join(u.full_name for u in self.unreachable)
        return _("%(names)s cannot see this space, so they were not notified.") % {"names": names}


# --- rendering ---------------------------------------------------------------


def _clean_body(body: str, *, limit: int, required: bool = True) -> str:
    body = (body or "").strip()
    if required and not body:
        raise Invalid(fields={"body": _("Write something first.")})
    if len(body) > limit:
        raise Invalid(
            fields={
                "body": _("This is %(n)d characters long; the limit is %(limit)d.") % {"n": len(body), "limit": limit}
            }
        )
    return body


def _resolve_mentions(actor: User, space: Space | None, parsed: markdown.Parsed) -> MentionReport:
    report = MentionReport(whole_space=parsed.mentions_space and space is not None)
    if not parsed.handles and not report.whole_space:
        return report
    # One query: the people mentioned by handle (each marked with whether they can read the
    # space) and, for @space, the space's members. A handle is only resolved when the writer may
    # see its owner (the people directory's rule): handles are guessable, so one the writer may
    # not see must stay plain text and draw no warning, exactly like a handle nobody has.
    readers = User.objects.filter(pk=OuterRef("pk")).filter(readers_filter(space))
    members = SpaceMembership.objects.filter(user=OuterRef("pk"), space=space)
    named = Q(handle__in=parsed.handles, pk__in=people_visible_to(actor).values("pk"))
    wanted = named | Q(Exists(members)) if report.whole_space else named
    people = (
        User.objects.filter(wanted, organisation_id=actor.org_id, is_active=True)
        .annotate(
            can_read=Exists(readers),
            in_space=Exists(members),
            # Whether a guest can read the space: decides whose names the stored HTML may show.
            guests_read=Exists(SpaceMembership.objects.filter(space=space, user__role=Role.GUEST)),
            named=ExpressionWrapper(named, output_field=BooleanField()),
        )
        .distinct()
    )
    for user in people:
        if user.named:
            (report.reached if user.can_read else report.unreachable).append(user)
        if report.whole_space and user.in_space:
            report.space_member_ids.append(user.pk)
    named_people = report.reached + report.unreachable
    if named_people:
        # Every reader sees non-guests, except guests, who see only the people of their spaces; and a
        # guest is seen only through a shared space. So: non-guests, and only those of this space
        # when a guest can read it.
        guests_read = any(getattr(u, "guests_read", False) for u in named_people)
        report.nameable = {
            u.pk for u in named_people if not u.is_guest and (not guests_read or getattr(u, "in_space", False))
        }
    return report


def _topics_for(actor: User, parsed: markdown.Parsed) -> list[Topic]:
    if not parsed.topics:
        return []
    # An upsert that returns every row's id, new or existing, in one statement.
    return Topic.objects.bulk_create(
        [Topic(organisation_id=actor.org_id, name=name, label=label) for name, label in parsed.topics.items()],
        update_conflicts=True,
        unique_fields=["organisation", "name"],
        update_fields=["name"],
    )


def _link_new_post_topics(post: Post, topics: list[Topic]) -> None:
    """The topics a new post names: one insert (a new post has no links yet to look up first, as
    `post.topics.add` would)."""
    if not topics:
        return
    Post.topics.through.objects.bulk_create([Post.topics.through(post_id=post.pk, topic_id=t.pk) for t in topics])
    signals.topics_named.send(sender=Post, topics=topics)


def _render(parsed: markdown.Parsed, report: MentionReport) -> str:
    # The people came from _resolve_mentions' one query: their names cost nothing more.
    named = report.reached + report.unreachable
    urls = {u.handle: reverse("person", args=[u.pk]) for u in named}
    names = {u.handle: u.full_name for u in named if u.full_name and u.pk in report.nameable}
    return markdown.render(
        parsed,
        mention_url=urls.get,
        mention_name=names.get,
        topic_url=lambda name: reverse("topic", args=[name]),
    )


def _record_mentions(post: Post, report: MentionReport, *, author: User, comment: Comment | None = None) -> bool:
    """Record who the text mentions; True when anyone is (someone to notify)."""
    users = {u.pk for u in report.reached} | set(report.space_member_ids)
    users.discard(author.pk)
    Mention.objects.bulk_create([Mention(post=post, comment=comment, user_id=pk) for pk in users])
    return bool(users)


# --- live events -------------------------------------------------------------------


def _emit(event: LiveEvent, post: Post, *, item: Comment | None = None) -> None:
    """Publish to whoever can read `post` (and `item`, a comment of it): its space's readers, or everyone
    but guests for a profile post; only those who still see it when it is hidden, held or refused."""
    if not is_public(post) or (item is not None and not is_public(item)):
        for user_id in hidden_readers(post, item):
            publish(event, organisation_id=post.organisation_id, audience=Audience.USER, user_id=user_id)
    elif post.space_id is None:
        publish(event, organisation_id=post.organisation_id, audience=Audience.MEMBERS)
    else:
        publish(event, organisation_id=post.organisation_id, audience=Audience.SPACE, space_id=post.space_id)


def _author(user: User) -> events.Author:
    return events.Author(id=user.pk, full_name=user.full_name, handle=user.handle)


def _post_created(post: Post, attachment_ids: list[int]) -> events.PostCreated:
    return events.PostCreated(
        post_id=post.pk,
        space_id=post.space_id,
        author=_author(post.author),
        kind=post.kind,
        body=post.body,
        body_html=post.body_html,
        created_at=post.created_at,
        is_share=post.is_share,
        shared_post_id=post.shared_post_id,
        attachment_ids=attachment_ids,
    )


def _post_updated(post: Post) -> events.PostUpdated:
    return events.PostUpdated(
        post_id=post.pk,
        body=post.body,
        body_html=post.body_html,
        edited_at=post.edited_at,
        pinned=post.pinned_at is not None,
        answered=post.answered_at is not None,
    )


def _comment_updated(comment: Comment) -> events.CommentUpdated:
    return events.CommentUpdated(
        comment_id=comment.pk,
        post_id=comment.post_id,
        body=comment.body,
        body_html=comment.body_html,
        edited_at=comment.edited_at,
        is_answer=comment.is_answer,
    )


# --- posts ---------------------------------------------------------------------


def _check_can_post_in(actor: User, space: Space | None, kind: str) -> SpaceMembership | None:
    if kind not in PostKind.values:
        raise Invalid(fields={"kind": _("Choose update, question or announcement.")})
    if space is None:
        if actor.is_guest:
            raise PermissionDenied(_("Guests post in their spaces only."))
        if kind == PostKind.ANNOUNCEMENT:
            raise PermissionDenied(_("Announcements are made in a space, by its managers."))
        return None
    if space.organisation_id != actor.organisation_id:
        raise NotFound()
    check_space_open_for_changes(space)
    membership = membership_of(actor, space)
    if membership is None:
        raise PermissionDenied(_("Join the space to post in it."))
    if kind == PostKind.ANNOUNCEMENT and not can_manage(actor, space, membership):
        raise PermissionDenied(_("Only the space's managers can make announcements."))
    return membership


def _check_attachment_count(ids: Sequence[int]) -> list[int]:
    ids = list(dict.fromkeys(ids))
    if len(ids) > settings.ALVEOLE_ATTACHMENTS_PER_POST:
        raise Invalid(
            fields={"attachment_ids": _("Attach at most %(n)d files.") % {"n": settings.ALVEOLE_ATTACHMENTS_PER_POST}}
        )
    return ids


def _claim_attachments(actor: User, ids: list[int], **target: Post | Comment) -> None:
    """Attach the actor's unattached uploads, in one statement; any other id fails the whole action."""
    if not ids:
        return
    claimed = 0  # an id no column can hold is missing like any other (and would overflow the query)
    if all(is_id(i) for i in ids):
        mine = Attachment.objects.filter(pk__in=ids, uploader=actor, post__isnull=True, comment__isnull=True)
        claimed = mine.update(**target)
    if claimed != len(ids):
        raise Invalid(
            fields={"attachment_ids": _("One of the files was not found or is already attached; upload it again.")}
        )
    item = next(iter(target.values()))
    signals.attachments_attached.send(
        sender=Attachment,
        attachment_ids=list(ids),
        post_id=item.pk if isinstance(item, Post) else None,
        comment_id=item.pk if isinstance(item, Comment) else None,
    )


@transaction.atomic
def create_post(
    actor: User,
    *,
    space: Space | None,
    body: str,
    kind: str = PostKind.UPDATE,
    attachment_ids: Sequence[int] = (),
    label: Label | None = None,
    idempotency_key: UUID | None = None,
) -> tuple[Post, MentionReport]:
    """Publish a post. With an idempotency key already used by the actor, return that post instead:
    the offline outbox and retries may send the same post any number of times, it exists once."""
    if idempotency_key is not None and (earlier := _post_with_key(actor, idempotency_key)) is not None:
        return earlier, MentionReport(replayed=True)
    membership = _check_can_post_in(actor, space, kind)
    stored_label = labels.clean_post_label(actor, space, label)  # may raise the space's, never lower it
    policies.check_may_start_posts(actor)
    review = policies.review_of_new(actor, space, membership, comment=False)
    file_ids = _check_attachment_count(attachment_ids)
    body = _clean_body(body, limit=settings.ALVEOLE_POST_MAX_LENGTH, required=not file_ids)
    parsed = markdown.parse(body)
    report = _resolve_mentions(actor, space, parsed)
    topics = _topics_for(actor, parsed)
    now = timezone.now()
    fields = {
        "organisation_id": actor.org_id,
        "space": space,
        "author": actor,
        "kind": kind,
        "body": body,
        "body_html": _render(parsed, report),
        "created_at": now,
        "review": review,
        "published_at": now if review == Review.PUBLISHED else None,
        "label": stored_label,
    }
    if idempotency_key is None:
        post = Post.objects.create(**fields)
    else:
        try:
            # A savepoint: when a concurrent request with the same key wins, this transaction goes on.
            with transaction.atomic():
                post = Post.objects.create(**fields, idempotency_key=idempotency_key)
        except IntegrityError:
            earlier = _post_with_key(actor, idempotency_key)
            if earlier is None:
                raise
            return earlier, MentionReport(replayed=True)
    _link_new_post_topics(post, topics)
    mentions = _record_mentions(post, report, author=actor)
    _claim_attachments(actor, file_ids, post=post)
    _emit(_post_created(post, file_ids), post)
    if review == Review.HELD:
        # Its author and the moderators see it; the rest waits for approve_post.
        signals.item_held.send(Post, post_id=post.pk, comment_id=None)
        return post, report
    if mentions:
        # The job only tells the people mentioned: a job per post cost a third of creating one.
        signals.post_published.send(Post, post_id=post.pk)
    return post, report


def _post_with_key(actor: User, key: UUID) -> Post | None:
    post = Post.objects.filter(author=actor, idempotency_key=key).first()
    if post is not None and post.is_deleted:
        # Sent again after its author deleted it: neither bring it back nor post it a second time.
        raise Conflict(_("This post was already sent, then deleted."))
    return post


def _require_author(actor: User, obj: Post | Comment) -> None:
    if obj.author_id != actor.pk:
        raise PermissionDenied(_("Only the author can edit this."))


@transaction.atomic
def edit_post(actor: User, *, post: Post, body: str) -> tuple[Post, MentionReport]:
    _require_author(actor, post)
    policies.check_edit_window(actor, post)
    check_space_open_for_changes(post.space)
    has_files = post.attachments.exists()
    body = _clean_body(body, limit=settings.ALVEOLE_POST_MAX_LENGTH, required=not has_files and not post.is_share)
    if body == post.body:
        return post, MentionReport()
    parsed = markdown.parse(body)
    report = _resolve_mentions(actor, post.space, parsed)
    PostRevision.objects.create(post=post, body=post.body, editor=actor)
    post.body = body
    post.body_html = _render(parsed, report)
    post.edited_at = timezone.now()
    post.save(update_fields=["body", "body_html", "edited_at"])
    topics = _topics_for(actor, parsed)
    post.topics.set(topics)
    signals.topics_named.send(sender=Post, topics=topics)
    # Only people mentioned for the first time are told.
    already = set(Mention.objects.filter(post=post, comment__isnull=True).values_list("user_id", flat=True))
    report.reached = [u for u in report.reached if u.pk not in already]
    report.space_member_ids = [pk for pk in report.space_member_ids if pk not in already]
    if _record_mentions(post, report, author=actor) and post.review == Review.PUBLISHED:
        signals.post_published.send(Post, post_id=post.pk)
    _emit(_post_updated(post), post)
    return post, report


def _can_moderate(actor: User, post: Post) -> bool:
    if post.space is None:
        return actor.is_org_admin and actor.organisation_id == post.organisation_id
    return can_manage(actor, post.space)


@transaction.atomic
def expire_posts(posts: QuerySet[Post]) -> tuple[int, list[str]]:
    """Delete posts for good because a retention period says so (no actor: the organisation's rule).

    Unlike `delete_post` nothing stays: rows, comments, reactions and attachment rows go. Each
    deletion is published, so open pages drop the post at once. Returns how many went and the
    storage names of their files, to be removed once the transaction has committed.
    """
    doomed = list(posts.only("pk", "organisation_id", "space_id"))
    if not doomed:
        return 0, []
    ids = [post.pk for post in doomed]
    files = list(Attachment.objects.filter(Q(post_id__in=ids) | Q(comment__post_id__in=ids)).values_list(
        "storage_name", "thumbnail_name"
    ))  # fmt: skip
    for post in doomed:
        _emit(events.PostDeleted(post_id=post.pk), post)
    Post.objects.filter(pk__in=ids).delete()
    return len(ids), [name for pair in files for name in pair if name]


@transaction.atomic
def delete_post(actor: User, *, post: Post) -> None:
    """Soft delete: the post disappears from every page and list; the row stays for the audit trail."""
    if post.author_id != actor.pk and not _can_moderate(actor, post):
        raise PermissionDenied(_("Only the author or the space's managers can delete this post."))
    policies.check_edit_window(actor, post)
    check_space_open_for_changes(post.space)
    post.deleted_at = timezone.now()
    post.save(update_fields=["deleted_at"])
    _emit(events.PostDeleted(post_id=post.pk), post)
    if post.review == Review.HELD and post.space_id is not None:
        signals.held_item_withdrawn.send(Post, space_id=post.space_id)
    audit.record(
        "post.delete",
        actor=actor,
        target=post,
        label=markdown.plain_text(post.body, 80),
        author=post.author_id,
        space=post.space_id,
    )


@transaction.atomic
def set_pinned(actor: User, *, post: Post, pinned: bool) -> Post:
    if post.space is None or not can_manage(actor, post.space):
        raise PermissionDenied(_("Only the space's managers can pin posts."))
    check_space_open_for_changes(post.space)
    post.pinned_at = timezone.now() if pinned else None
    post.save(update_fields=["pinned_at"])
    _emit(_post_updated(post), post)
    return post


@transaction.atomic
def set_hidden(actor: User, *, post: Post, comment: Comment | None = None, hidden: bool) -> None:
    """A moderator hides `comment` (or `post`), or shows it again; moderation's actions call this and audit.

    Hidden, it stays for its author and those who moderate it (access.shown_unless_hidden), marked. The
    event goes to every reader before the change narrows who hears of the item: each open page asks
    for it again, and drops it when the answer is "not found".
    """
    if not _can_moderate(actor, post):
        raise PermissionDenied(_("Only the space's managers can hide this."))
    item: Post | Comment = comment if comment is not None else post
    if (item.hidden_at is not None) == hidden:
        return
    event: LiveEvent = (
        events.CommentHidden(comment_id=comment.pk, post_id=post.pk, hidden=hidden)
        if comment is not None
        else events.PostHidden(post_id=post.pk, hidden=hidden)
    )
    item.hidden_at = timezone.now() if hidden else None
    item.hidden_by = actor if hidden else None
    item.save(update_fields=["hidden_at", "hidden_by"])
    # Every reader of the post (it may have been hidden and is shown again, or the reverse).
    if post.space_id is None:
        publish(event, organisation_id=post.organisation_id, audience=Audience.MEMBERS)
    else:
        publish(event, organisation_id=post.organisation_id, audience=Audience.SPACE, space_id=post.space_id)


# --- review: held posts and comments (the space's policy, feed.policies) ----------------------

# A refusal reason is a sentence or two for the author; the same bound as a report's note.
REFUSAL_REASON_MAX = 1000


def _check_reviewable(actor: User, post: Post, item: Post | Comment) -> None:
    if not _can_moderate(actor, post):
        raise PermissionDenied(_("Only the space's managers can validate posts and comments."))
    if item.deleted_at is not None or (item is not post and post.deleted_at is not None):
        raise NotFound()
    if item.review != Review.HELD:
        raise Conflict(_("This has already been reviewed."))


def _reviewed(actor: User, post: Post, item: Post | Comment, review: str, reason: str = "") -> None:
    """Settle `item` once: the row changes only while it is still held and not deleted, as the
    database has it now. `item` was read by the view; another moderator may have settled it since,
    or its author deleted it. Then nothing is counted, audited, told or published twice: Conflict."""
    now = timezone.now()
    changes = {
        "review": review,
        "reviewed_by": actor,
        "reviewed_at": now,
        "refusal_reason": reason,
        "published_at": now if review == Review.PUBLISHED else None,
    }
    held = {"pk": item.pk, "review": Review.HELD, "deleted_at__isnull": True}
    if item is post:
        settled = Post.objects.filter(**held).update(**changes)
    else:
        settled = Comment.objects.filter(**held, post__deleted_at__isnull=True).update(**changes)
    if not settled:
        raise Conflict(_("Someone reviewed or deleted this in the meantime: reload the page."))
    for name, value in changes.items():
        setattr(item, name, value)
    signals.item_reviewed.send(type(item), post=post, comment=item if item is not post else None)


def _tell_who_saw_it(event: LiveEvent, post: Post, readers: list[int]) -> None:
    for user_id in readers:
        publish(event, organisation_id=post.organisation_id, audience=Audience.USER, user_id=user_id)


@transaction.atomic
def approve_post(actor: User, *, post: Post) -> Post:
    """Publish a held post with its original time; everything a new post sets off happens now (live
    delivery to every reader, mentions). moderation.actions audits and calls this."""
    _check_reviewable(actor, post, post)
    saw_it = hidden_readers(post)
    _reviewed(actor, post, post, Review.PUBLISHED)
    _tell_who_saw_it(events.PostReviewed(post_id=post.pk, review=post.review), post, saw_it)
    _emit(_post_created(post, list(post.attachments.values_list("pk", flat=True))), post)
    if Mention.objects.filter(post=post, comment__isnull=True).exists():
        signals.post_published.send(Post, post_id=post.pk)
    return post


@transaction.atomic
def approve_comment(actor: User, *, comment: Comment) -> Comment:
    """As approve_post, for a comment: it counts from now on, and replies and mentions are told."""
    post = comment.post
    _check_reviewable(actor, post, comment)
    saw_it = hidden_readers(post, comment)
    _reviewed(actor, post, comment, Review.PUBLISHED)
    Post.objects.filter(pk=post.pk).update(comment_count=F("comment_count") + 1)
    post.refresh_from_db(fields=["comment_count"])
    reviewed = events.CommentReviewed(
        comment_id=comment.pk, post_id=post.pk, review=comment.review, comment_count=post.comment_count
    )
    _tell_who_saw_it(reviewed, post, saw_it)
    _emit(_comment_created(comment, post), post, item=comment)
    signals.comment_published.send(Comment, comment_id=comment.pk)
    return comment


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(fields={"reason": _("Tell the author why, so they can do better next time.")})
    if len(reason) > REFUSAL_REASON_MAX:
        raise Invalid(fields={"reason": _("Keep the reason under %(n)d characters.") % {"n": REFUSAL_REASON_MAX}})
    return reason


@transaction.atomic
def refuse_post(actor: User, *, post: Post, reason: str) -> Post:
    """Refuse a held post: from now on its author alone sees it, with the reason."""
    _check_reviewable(actor, post, post)
    reason = _clean_reason(reason)
    saw_it = hidden_readers(post)
    _reviewed(actor, post, post, Review.REFUSED, reason)
    _tell_who_saw_it(events.PostReviewed(post_id=post.pk, review=post.review), post, saw_it)
    return post


@transaction.atomic
def refuse_comment(actor: User, *, comment: Comment, reason: str) -> Comment:
    post = comment.post
    _check_reviewable(actor, post, comment)
    reason = _clean_reason(reason)
    saw_it = hidden_readers(post, comment)
    _reviewed(actor, post, comment, Review.REFUSED, reason)
    reviewed = events.CommentReviewed(
        comment_id=comment.pk, post_id=post.pk, review=comment.review, comment_count=post.comment_count
    )
    _tell_who_saw_it(reviewed, post, saw_it)
    return comment


# --- comments -------------------------------------------------------------------


@transaction.atomic
def create_comment(
    actor: User,
    *,
    post: Post,
    body: str,
    parent: Comment | None = None,
    attachment_ids: Sequence[int] = (),
) -> tuple[Comment, MentionReport]:
    check_space_open_for_changes(post.space)
    review = _review_of_comment(actor, post)
    if parent is not None:
        if parent.post_id != post.pk or parent.deleted_at is not None:
            raise Invalid(fields={"parent_id": _("You can only reply to a comment of the same post.")})
        # Replies are one level deep: a reply to a reply joins the same thread.
        if parent.parent_id is not None:
            parent = parent.parent
    file_ids = _check_attachment_count(attachment_ids)
    body = _clean_body(body, limit=settings.ALVEOLE_COMMENT_MAX_LENGTH, required=not file_ids)
    parsed = markdown.parse(body)
    report = _resolve_mentions(actor, post.space, parsed)
    now = timezone.now()
    comment = Comment.objects.create(
        post=post,
        parent=parent,
        author=actor,
        body=body,
        body_html=_render(parsed, report),
        created_at=now,
        review=review,
        published_at=now if review == Review.PUBLISHED else None,
    )
    if review == Review.PUBLISHED:  # a held comment counts once approved
        Post.objects.filter(pk=post.pk).update(comment_count=F("comment_count") + 1)
    _record_mentions(post, report, author=actor, comment=comment)
    _claim_attachments(actor, file_ids, comment=comment)
    post.refresh_from_db(fields=["comment_count"])
    _emit(_comment_created(comment, post), post, item=comment)
    if review == Review.PUBLISHED:
        signals.comment_published.send(Comment, comment_id=comment.pk)
    elif review == Review.HELD:
        signals.item_held.send(Comment, post_id=post.pk, comment_id=comment.pk)
    return comment, report


def _review_of_comment(actor: User, post: Post) -> str:
    """The space's policy for a new comment on `post` (feed.policies): refused, held or published."""
    if post.review == Review.REFUSED:
        raise Conflict(_("This post was refused by a moderator: it takes no comments."))
    space = post.space
    if space is None:
        return Review.PUBLISHED
    policy_applies = space.commenters == Contributors.MANAGERS or space.hold_comments != HeldFor.NOBODY
    membership = membership_of(actor, space) if policy_applies else None  # no query in a space without one
    return policies.review_of_new(actor, space, membership, comment=True)


def _comment_created(comment: Comment, post: Post) -> events.CommentCreated:
    return events.CommentCreated(
        comment_id=comment.pk,
        post_id=post.pk,
        parent_id=comment.parent_id,
        author=_author(comment.author),
        body=comment.body,
        body_html=comment.body_html,
        created_at=comment.created_at,
        comment_count=post.comment_count,
    )


@transaction.atomic
def edit_comment(actor: User, *, comment: Comment, body: str) -> Comment:
    _require_author(actor, comment)
    policies.check_edit_window(actor, comment)
    check_space_open_for_changes(comment.post.space)
    body = _clean_body(body, limit=settings.ALVEOLE_COMMENT_MAX_LENGTH)
    parsed = markdown.parse(body)
    comment.body = body
    comment.body_html = _render(parsed, _resolve_mentions(actor, comment.post.space, parsed))
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "body_html", "edited_at"])
    _emit(_comment_updated(comment), comment.post, item=comment)
    return comment


@transaction.atomic
def delete_comment(actor: User, *, comment: Comment) -> None:
    if comment.author_id != actor.pk and not _can_moderate(actor, comment.post):
        raise PermissionDenied(_("Only the author or the space's managers can delete this comment."))
    policies.check_edit_window(actor, comment)
    check_space_open_for_changes(comment.post.space)
    comment.deleted_at = timezone.now()
    comment.save(update_fields=["deleted_at"])
    # Its review as it stands now that the row is ours (an approval may have landed since it was read).
    comment.refresh_from_db(fields=["review"])
    if comment.review == Review.PUBLISHED:  # held and refused comments were never counted
        Post.objects.filter(pk=comment.post_id, comment_count__gt=0).update(comment_count=F("comment_count") - 1)
    if comment.is_answer:
        Post.objects.filter(pk=comment.post_id).update(answered_at=None)
    post = comment.post
    post.refresh_from_db(fields=["comment_count", "answered_at"])
    deleted = events.CommentDeleted(comment_id=comment.pk, post_id=post.pk, comment_count=post.comment_count)
    _emit(deleted, post, item=comment)  # a held or refused comment: only those who could see it hear
    if comment.is_answer:
        _emit(_post_updated(post), post)
    if comment.review == Review.HELD and post.space_id is not None:
        signals.held_item_withdrawn.send(Comment, space_id=post.space_id)
    audit.record(
        "comment.delete", actor=actor, target=comment, label=markdown.plain_text(comment.body, 80), post=comment.post_id
    )


@transaction.atomic
def mark_answer(actor: User, *, comment: Comment, is_answer: bool = True) -> Comment:
    """The question's author (or a manager) marks the comment that answers it."""
    post = comment.post
    if post.kind != PostKind.QUESTION:
        raise Conflict(_("Only a question can have an answer."))
    if post.author_id != actor.pk and not _can_moderate(actor, post):
        raise PermissionDenied(_("Only the person who asked, or a manager, can choose the answer."))
    check_space_open_for_changes(post.space)
    if is_answer and comment.review != Review.PUBLISHED:
        raise Conflict(_("Only a published comment can be the answer: this one waits for validation or was refused."))
    previous = list(Comment.objects.filter(post=post, is_answer=True).exclude(pk=comment.pk))
    Comment.objects.filter(pk__in=[c.pk for c in previous]).update(is_answer=False)
    comment.is_answer = is_answer
    comment.save(update_fields=["is_answer"])
    post.answered_at = timezone.now() if is_answer else None
    post.save(update_fields=["answered_at"])
    for old in previous:
        old.is_answer = False
        _emit(_comment_updated(old), post, item=old)
    _emit(_comment_updated(comment), post, item=comment)
    _emit(_post_updated(post), post)
    return comment


# --- reactions, shares ---------------------------------------------------------------


@transaction.atomic
def react(actor: User, *, post: Post, kind: str = reactions.DEFAULT) -> Reaction | None:
    """Toggle: the same reaction again removes it; another one replaces it. Returns the current reaction.

    `kind` is one emoji (or a former kind's name, such as "like"); anything else is refused."""
    kind = reactions.normalize(kind)
    check_space_open_for_changes(post.space)
    existing = Reaction.objects.select_for_update().filter(post=post, user=actor).first()
    current: Reaction | None
    if existing is not None and existing.kind == kind:
        existing.delete()
        Post.objects.filter(pk=post.pk, reaction_count__gt=0).update(reaction_count=F("reaction_count") - 1)
        current = None
    elif existing is not None:
        existing.kind = kind
        existing.save(update_fields=["kind"])
        current = existing
    else:
        try:
            with transaction.atomic():
                current = Reaction.objects.create(post=post, user=actor, kind=kind)
        except IntegrityError:  # a double click raced us; the first one won
            return Reaction.objects.get(post=post, user=actor)
        Post.objects.filter(pk=post.pk).update(reaction_count=F("reaction_count") + 1)
        signals.reaction_added.send(Post, post_id=post.pk, user_id=actor.pk)
    summary = reactions.ordered(
        dict(Reaction.objects.filter(post=post).values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    )
    _emit(
        events.ReactionChanged(
            post_id=post.pk,
            user_id=actor.pk,
            kind=current.kind if current else None,
            reactions=dict(summary),
            order=[e for e, _n in summary],
            reaction_count=sum(n for _e, n in summary),
        ),
        post,
    )
    return current


@transaction.atomic
def share_post(actor: User, *, post: Post, space: Space | None, body: str = "") -> tuple[Post, MentionReport]:
    """Repost into a space or to one's followers, with an optional comment.

    Readers who may not see the original see only that it is not available.
    """
    original = post.shared_post if post.is_share and post.shared_post_id else post
    if original is None or (original.pk != post.pk and original.pk not in readable_originals(actor, [post])):
        # Sharing a share passes the original on; only someone who may read it can do that.
        raise NotFound(_("This post is not available to you."))
    if original.review != Review.PUBLISHED:
        raise Conflict(_("This post waits for validation: share it once it is published."))
    if labels.is_restricted(original) and (space is None or space.pk != original.space_id):
        raise PermissionDenied(_("This post is confidential: it cannot be shared out of its space."))
    membership = _check_can_post_in(actor, space, PostKind.UPDATE)
    review = policies.review_of_new(actor, space, membership, comment=False)
    body = _clean_body(body, limit=settings.ALVEOLE_POST_MAX_LENGTH, required=False)
    parsed = markdown.parse(body)
    report = _resolve_mentions(actor, space, parsed)
    now = timezone.now()
    share = Post.objects.create(
        organisation_id=actor.org_id,
        space=space,
        author=actor,
        body=body,
        body_html=_render(parsed, report),
        is_share=True,
        shared_post=original,
        created_at=now,
        review=review,
        published_at=now if review == Review.PUBLISHED else None,
    )
    _link_new_post_topics(share, _topics_for(actor, parsed))
    mentions = _record_mentions(share, report, author=actor)
    _emit(_post_created(share, []), share)
    if review == Review.HELD:
        signals.item_held.send(Post, post_id=share.pk, comment_id=None)
    elif mentions:
        signals.post_published.send(Post, post_id=share.pk)
    return share, report


# --- follows -------------------------------------------------------------------------


def _follow_target(actor: User, person: User | None, space: Space | None, topic: Topic | None) -> dict:
    targets = {k: v for k, v in {"person": person, "space": space, "topic": topic}.items() if v is not None}
    if len(targets) != 1:
        raise Invalid(fields={"target": _("Follow exactly one person, space or topic.")})
    if person is not None and person.pk == actor.pk:
        raise Invalid(fields={"person_id": _("You cannot follow yourself.")})
    return targets


@transaction.atomic
def follow(
    actor: User, *, person: User | None = None, space: Space | None = None, topic: Topic | None = None
) -> Follow:
    targets = _follow_target(actor, person, space, topic)
    existing = Follow.objects.filter(follower=actor, **targets).first()
    return existing or Follow.objects.create(follower=actor, **targets)


@transaction.atomic
def unfollow(
    actor: User, *, person: User | None = None, space: Space | None = None, topic: Topic | None = None
) -> None:
    Follow.objects.filter(follower=actor, **_follow_target(actor, person, space, topic)).delete()


# --- files and reads -------------------------------------------------------------------


def upload_attachment(actor: User, *, stream: IO[bytes], name: str, size: int) -> Attachment:
    """Check and store a file; it is attached to a post or comment when that is created."""
    rules = policies.upload_rules(actor)
    upload = files.accept(
        stream, name, size, organisation_id=actor.org_id, limit=rules.max_bytes, allowed=rules.content_types
    )
    try:
        return Attachment.objects.create(organisation_id=actor.org_id, uploader=actor, **upload.columns())
    except Exception:
        upload.discard()  # nothing half-written: no row means no file
        raise


def record_reads(actor: User, *, post_ids: Iterable[int]) -> int:
    """Remember that `actor` saw these posts (ids they may not see are ignored). One insert per batch."""
    ids = [i for i in dict.fromkeys(int(i) for i in post_ids) if is_id(i)][: settings.ALVEOLE_READS_PER_BATCH]
    if not ids:
        return 0
    visible = list(visible_posts(actor).filter(pk__in=ids).values_list("pk", flat=True))
    now = timezone.now()
    created = PostRead.objects.bulk_create(
        [PostRead(user=actor, post_id=pk, read_at=now) for pk in visible], ignore_conflicts=True
    )
    return len(created)


@transaction.atomic
def set_post_label(actor: User, *, post: Post, label: Label) -> Post:
    """Change a post's confidentiality label (its author, or a manager of its space): any label from its
    space's up (spaces.labels); restricted only in a space without guests."""
    if post.author_id != actor.pk and not _can_moderate(actor, post):
        raise PermissionDenied(_("Only the author or a moderator can change this post's label."))
    check_space_open_for_changes(post.space)
    stored = labels.clean_post_label(actor, post.space, label)
    if stored == (post.label if post.label_id is not None else None):
        return post
    before = str(labels.post_label(post) or "")
    post.label = stored
    post.save(update_fields=["label"])
    audit.record("post.label", actor=actor, target=post, before=before, after=str(label))
    _emit(_post_updated(post), post)
    return post


def _post_of(attachment: Attachment) -> Post | None:
    if attachment.post_id is not None:
        return attachment.post
    if attachment.comment_id is not None and attachment.comment is not None:
        return attachment.comment.post
    return None


def download_name(actor: User, *, attachment: Attachment) -> str:
    """The name a file is downloaded under. A confidential one (spaces.labels) carries the downloader's name
    and the time, and each download is audited; the organisation may refuse such downloads altogether
    (refused attempts are audited too)."""
    post = _post_of(attachment)
    if post is None or not labels.is_restricted(post):
        return attachment.original_name
    if not actor.org.confidential_downloads:
        audit.record("file.download.denied", actor=actor, target=attachment, label=attachment.original_name)
        raise PermissionDenied(_("Your organisation does not allow downloading confidential files."))
    now = timezone.localtime()
    stem, dot, ext = attachment.original_name.rpartition(".")
    if not dot:
        stem, ext = attachment.original_name, ""
    name = f"{stem} ({actor.full_name}, {now:%Y-%m-%d %H-%M})" + (f".{ext}" if ext else "")
    audit.record(
        "file.download", actor=actor, target=attachment, label=attachment.original_name, post=post.pk, as_name=name
    )
    return name
