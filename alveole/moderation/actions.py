"""Reporting posts and comments, and settling reports: every step audited in its transaction."""

from __future__ import annotations

from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alveole.accounts.models import User
from alveole.core import audit, markdown, ratelimit
from alveole.core.errors import Conflict, Invalid, PermissionDenied, RateLimited
from alveole.feed import actions as feed_actions
from alveole.feed.access import get_comment_for, get_post_for
from alveole.feed.models import Comment, Post
from alveole.notifications.actions import clear_queue_lines, notify
from alveole.notifications.models import Kind
from alveole.spaces.access import can_manage, check_space_open_for_changes
from alveole.spaces.models import Contributors, HeldFor, Space

from .models import Reason, Report, Reporter, Status

NOTE_MAX = 1000
RATE_SCOPE = "moderation:report"


# Enough for anyone cleaning up after a spammer; few enough that nobody floods the moderators.
REPORTS_PER_HOUR = 30


def _limits() -> tuple[int, int]:
    return REPORTS_PER_HOUR, 3600


def _check_rate(actor: User) -> None:
    limit, window = _limits()
    wait = ratelimit.retry_after(RATE_SCOPE, str(actor.pk), limit=limit, window=window)
    if wait is not None:
        minutes = max(1, -(-wait // 60))
        raise RateLimited(
            ngettext(
                "You have reported a lot in a short time. Try again in %(minutes)d minute.",
                "You have reported a lot in a short time. Try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
            retry_after=wait,
        )


def _label(report: Report) -> str:
    item = report.comment if report.comment is not None else report.post
    return markdown.plain_text(item.body, 80)


@transaction.atomic
def report_item(
    actor: User, *, post: Post | None = None, comment: Comment | None = None, reason: str, note: str = ""
) -> Report:
    """Report a post or a comment the actor can read; it joins the item's open report if there is one."""
    if (post is None) == (comment is None):
        raise ValueError("report a post or a comment")
    # Looked up again through the viewer: reporting what one cannot read answers "not found".
    if comment is not None:
        comment = get_comment_for(actor, comment.pk)
        post = comment.post
    else:
        assert post is not None
        post = get_post_for(actor, post.pk)
    item: Post | Comment = comment if comment is not None else post
    errors = {}
    if reason not in Reason.values:
        errors["reason"] = _("Choose one of the reasons.")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = _("Keep the note under %(n)d characters.") % {"n": NOTE_MAX}
    if item.author_id == actor.pk:
        errors["reason"] = _("You cannot report what you wrote yourself; edit or delete it instead.")
    if errors:
        raise Invalid(fields=errors)
    _check_rate(actor)
    ratelimit.add_hit(RATE_SCOPE, str(actor.pk), window=_limits()[1])
    key = {"comment": comment} if comment is not None else {"post": post, "comment__isnull": True}
    report = Report.objects.select_for_update().filter(status=Status.OPEN, **key).first()
    if report is None:
        try:
            with transaction.atomic():
                report = Report.objects.create(
                    organisation_id=post.organisation_id, space_id=post.space_id, post=post, comment=comment
                )
        except IntegrityError:  # someone else reported it a moment ago
            report = Report.objects.select_for_update().get(status=Status.OPEN, **key)
    report.post, report.comment = post, comment
    Reporter.objects.update_or_create(report=report, user=actor, defaults={"reason": reason, "note": note})
    report.updated_at = timezone.now()
    report.save(update_fields=["updated_at"])
    audit.record(
        "report.create",
        actor=actor,
        target=report,
        label=_label(report),
        reason=reason,
        post=post.pk,
        comment=comment.pk if comment is not None else None,
        space=post.space_id,
    )
    return report


def _about(report: Report) -> dict:
    """What every audit row of a report's settlement records beside its action."""
    return {
        "label": _label(report),
        "post": report.post_id,
        "comment": report.comment_id,
        "space": report.space_id,
        "reporters": report.reporters.count(),
    }


def _settle(actor: User, report: Report, status: str) -> None:
    report.status = status
    report.resolved_at = timezone.now()
    report.resolved_by = actor
    report.save(update_fields=["status", "resolved_at", "resolved_by"])


def _tell_reporters(actor: User, report: Report) -> None:
    """The reporters are told; the notification reads the item's state for its sentence."""
    for reporter in report.reporters.select_related("user"):
        notify(
            reporter.user,
            kind=Kind.REPORT,
            actor=actor,
            post_id=report.post_id,
            comment_id=report.comment_id,
            space_id=report.space_id,
        )


Settle = Callable[..., Report]


def _require_open(report: Report) -> None:
    if report.status != Status.OPEN:
        raise Conflict(_("This report has already been dealt with."))


@transaction.atomic
def dismiss_report(actor: User, *, report: Report) -> Report:
    """Leave the item as it is. `report` comes from access.get_report_for(actor, …)."""
    _require_open(report)
    _settle(actor, report, Status.DISMISSED)
    audit.record("report.dismiss", actor=actor, target=report, **_about(report))
    _tell_reporters(actor, report)
    return report


@transaction.atomic
def hide_reported(actor: User, *, report: Report) -> Report:
    """Hide the item: its author and its moderators still see it, marked; nobody else does."""
    _require_open(report)
    feed_actions.set_hidden(actor, post=report.post, comment=report.comment, hidden=True)
    _settle(actor, report, Status.HIDDEN)
    audit.record("report.hide", actor=actor, target=report, **_about(report))
    _tell_reporters(actor, report)
    return report


@transaction.atomic
def unhide_reported(actor: User, *, report: Report) -> Report:
    """Show a hidden item again (the report then counts as dismissed; reporters are not told twice)."""
    if report.status != Status.HIDDEN:
        raise Conflict(_("Only a hidden item can be shown again."))
    feed_actions.set_hidden(actor, post=report.post, comment=report.comment, hidden=False)
    _settle(actor, report, Status.DISMISSED)
    audit.record("report.unhide", actor=actor, target=report, **_about(report))
    return report


@transaction.atomic
def delete_reported(actor: User, *, report: Report) -> Report:
    """Delete the item through the feed (which keeps its own audit row of the deletion)."""
    if report.status not in (Status.OPEN, Status.HIDDEN):
        raise Conflict(_("This report has already been dealt with."))
    if report.comment is not None:
        feed_actions.delete_comment(actor, comment=report.comment)
    else:
        feed_actions.delete_post(actor, post=report.post)
    _settle(actor, report, Status.DELETED)
    audit.record("report.delete", actor=actor, target=report, **_about(report))
    _tell_reporters(actor, report)
    return report


# --- validation before publication (the space's policy: feed.policies) ------------------------------


def _item_about(post: Post, comment: Comment | None) -> dict:
    item: Post | Comment = comment if comment is not None else post
    return {
        "label": markdown.plain_text(item.body, 80),
        "post": post.pk,
        "comment": comment.pk if comment is not None else None,
        "space": post.space_id,
        "author": item.author_id,
    }


def _tell_author(actor: User, post: Post, comment: Comment | None) -> None:
    """The author is told; the notification reads the item's state (and the reason) for its sentence."""
    item: Post | Comment = comment if comment is not None else post
    notify(
        item.author,
        kind=Kind.REVIEW,
        actor=actor,
        post_id=post.pk,
        comment_id=comment.pk if comment is not None else None,
        space_id=post.space_id,
    )


@transaction.atomic
def approve_item(actor: User, *, post: Post | None = None, comment: Comment | None = None) -> Post | Comment:
    """Publish a held post or comment (from access.get_held_*_for): with its original time, and with
    everything a new one sets off — live delivery, mentions, replies — happening now."""
    if (post is None) == (comment is None):
        raise ValueError("approve a post or a comment")
    item: Post | Comment
    if comment is not None:
        post = comment.post
        item = feed_actions.approve_comment(actor, comment=comment)
    else:
        assert post is not None
        item = feed_actions.approve_post(actor, post=post)
    audit.record("review.approve", actor=actor, target=item, **_item_about(post, comment))
    _tell_author(actor, post, comment)
    clear_queue_lines(post.space_id)
    return item


@transaction.atomic
def refuse_item(
    actor: User, *, post: Post | None = None, comment: Comment | None = None, reason: str
) -> Post | Comment:
    """Refuse a held post or comment: its author alone sees it from now on, with `reason`, and is told."""
    if (post is None) == (comment is None):
        raise ValueError("refuse a post or a comment")
    item: Post | Comment
    if comment is not None:
        post = comment.post
        item = feed_actions.refuse_comment(actor, comment=comment, reason=reason)
    else:
        assert post is not None
        item = feed_actions.refuse_post(actor, post=post, reason=reason)
    audit.record("review.refuse", actor=actor, target=item, reason=item.refusal_reason, **_item_about(post, comment))
    _tell_author(actor, post, comment)
    clear_queue_lines(post.space_id)
    return item


POLICY_FIELDS = ("posters", "commenters", "hold_posts", "hold_comments")


@transaction.atomic
def set_space_moderation(
    actor: User, *, space: Space, posters: str, commenters: str, hold_posts: str, hold_comments: str
) -> Space:
    """Change who may post and comment in a space and whose posts and comments wait for validation.

    `space` comes from access.get_moderated_space_for(actor, …) (its managers, admins who manage it)."""
    if not can_manage(actor, space):
        raise PermissionDenied(_("Only the space's managers can change how it is moderated."))
    check_space_open_for_changes(space)
    wanted = {"posters": posters, "commenters": commenters, "hold_posts": hold_posts, "hold_comments": hold_comments}
    errors = {}
    for name in ("posters", "commenters"):
        if wanted[name] not in Contributors.values:
            errors[name] = _("Choose everyone or managers only.")
    for name in ("hold_posts", "hold_comments"):
        if wanted[name] not in HeldFor.values:
            errors[name] = _("Choose nobody, guests, newcomers or everyone.")
    if errors:
        raise Invalid(fields=errors)
    changed = {name: value for name, value in wanted.items() if getattr(space, name) != value}
    if not changed:
        return space
    before = {name: getattr(space, name) for name in changed}
    for name, value in changed.items():
        setattr(space, name, value)
    space.save(update_fields=list(changed))
    audit.record(
        "space.moderation",
        actor=actor,
        target=space,
        label=space.name,
        before=before,
        after=changed,
    )
    return space
