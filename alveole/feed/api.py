from __future__ import annotations

from functools import partial
from typing import Annotated
from uuid import UUID

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Header, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from alveole.accounts.access import viewer_of
from alveole.accounts.models import User
from alveole.api.pagination import cursor_page
from alveole.api.responses import prevalidated
from alveole.core import markdown
from alveole.core.bounds import Id
from alveole.core.errors import Invalid, NotFound
from alveole.spaces import labels
from alveole.spaces.access import get_space_for, readers_filter
from alveole.spaces.models import Space
from alveole.spaces.people import get_person_for, people_visible_to

from . import actions, selectors
from .access import get_comment_for, get_post_for, get_topic_for, visible_posts
from .models import Attachment, Comment, Post
from .schemas import (
    AttachmentOut,
    AuthorOut,
    CommentCreatedOut,
    CommentIn,
    CommentOut,
    CommentPatch,
    FeedPageOut,
    FollowIn,
    FollowOut,
    PostCreatedOut,
    PostIn,
    PostLabelIn,
    PostOut,
    PostPatch,
    ReactionIn,
    ReactionStateOut,
    ReactorOut,
    ReadsIn,
    ReadsOut,
    RevisionOut,
    ShareIn,
    TopicListOut,
    TopicOut,
    TopPostOut,
)

router = Router(tags=["feed"])


IdempotencyKeyHeader = Annotated[
    UUID | None,
    Header(alias="Idempotency-Key", description="a client-chosen UUID: a repeated request creates nothing (200)"),
]


class FeedQuery(Schema):
    cursor: str | None = None
    limit: int = Field(settings.ALVEOLE_FEED_PAGE_SIZE, ge=1, le=100)


class HomeQuery(FeedQuery):
    filter: str = Field("all", description="all, mentions, questions or following")


# --- serialization -----------------------------------------------------------------


def attachment_out(a: Attachment) -> dict:
    return {
        "id": a.pk,
        "name": a.original_name,
        "content_type": a.content_type,
        "size": a.size,
        "width": a.width,
        "height": a.height,
        "is_image": a.is_image,
        "url": reverse("attachment", args=[a.pk, a.original_name]),
        "thumbnail_url": reverse("attachment_thumbnail", args=[a.pk]) if a.is_image else None,
    }


def _author(user: User) -> dict:
    return {"id": user.pk, "full_name": user.full_name, "handle": user.handle}


def _space_ref(post: Post) -> dict | None:
    return {"id": post.space.pk, "name": post.space.name} if post.space is not None else None


def item_out(item: selectors.FeedItem) -> dict:
    post = item.post
    original = item.original
    return {
        "id": post.pk,
        "space": _space_ref(post),
        "author": _author(post.author),
        "kind": post.kind,
        "body": post.body,
        "body_html": post.body_html,
        "created_at": post.created_at,
        "edited_at": post.edited_at,
        "pinned": post.pinned_at is not None,
        "answered": post.answered_at is not None,
        "hidden": post.hidden_at is not None,
        "review": post.review,
        "refusal_reason": post.refusal_reason,
        "comment_count": post.comment_count,
        "reactions": item.reactions,
        "my_reaction": item.my_reaction,
        "attachments": [attachment_out(a) for a in item.attachments],
        "unread": item.unread,
        "is_share": post.is_share,
        "shared_post": None
        if original is None
        else {
            "id": original.pk,
            "space": _space_ref(original),
            "author": _author(original.author),
            "kind": original.kind,
            "body": original.body,
            "body_html": original.body_html,
            "created_at": original.created_at,
            "attachments": [attachment_out(a) for a in item.original_attachments],
        },
        "shared_post_unavailable": item.original_unavailable,
        "label_id": label.pk if (label := labels.post_label(post)) is not None else None,
        "confidential": labels.is_restricted(post),
    }


def post_out(viewer: User, post: Post, warnings: list[str] | None = None) -> dict:
    fresh = selectors.with_joins(visible_posts(viewer)).get(pk=post.pk)
    out = item_out(selectors.assemble(viewer, [fresh])[0])
    if warnings is not None:
        out["warnings"] = warnings
    return out


def new_post_out(post: Post, warnings: list[str], *, has_files: bool) -> dict:
    """A post just written by the viewer: nothing to look up but its files."""
    item = selectors.FeedItem(post=post, attachments=list(post.attachments.order_by("id")) if has_files else [])
    if post.is_share and post.shared_post is not None:
        item.original = post.shared_post  # the author could read it a moment ago
        item.original_attachments = list(post.shared_post.attachments.order_by("id"))
    out = item_out(item)
    if warnings is not None:
        out["warnings"] = warnings
    return out


def comment_out(comment: Comment, warnings: list[str] | None = None) -> dict:
    out: dict[str, object] = {
        "id": comment.pk,
        "post_id": comment.post_id,
        "parent_id": comment.parent_id,
        "author": _author(comment.author),
        "body": comment.body,
        "body_html": comment.body_html,
        "created_at": comment.created_at,
        "edited_at": comment.edited_at,
        "is_answer": comment.is_answer,
        "hidden": comment.hidden_at is not None,
        "review": comment.review,
        "refusal_reason": comment.refusal_reason,
        "attachments": [attachment_out(a) for a in comment.attachments.all()],
    }
    if warnings is not None:
        out["warnings"] = warnings
    return out


def _page(viewer: User, qs: QuerySet[Post], query: FeedQuery, space: Space | None = None) -> dict:
    return cursor_page(query, partial(selectors.feed_page, viewer, qs, space=space), out=item_out)


# --- feeds ---------------------------------------------------------------------------


@router.get("/feed", response=FeedPageOut, summary="My home feed")
def home_feed(request: HttpRequest, query: Query[HomeQuery]) -> HttpResponse:
    viewer = viewer_of(request)
    return prevalidated({**_page(viewer, selectors.home_posts(viewer, filter=query.filter), query), "pinned": []})


@router.get("/spaces/{space_id}/posts", response=FeedPageOut, summary="A space's feed (pinned posts on the first page)")
def space_feed(request: HttpRequest, space_id: Id, query: Query[FeedQuery]) -> HttpResponse:
    viewer = viewer_of(request)
    space = get_space_for(viewer, space_id)
    page = _page(viewer, selectors.space_posts(viewer, space), query, space=space)
    pinned = [item_out(i) for i in selectors.pinned_posts(viewer, space)] if not query.cursor else []
    return prevalidated({**page, "pinned": pinned})


@router.get("/topics", response=TopicListOut, summary="The topics I know of, the most used first")
def list_topics(request: HttpRequest) -> dict:
    rows = selectors.topic_directory(viewer_of(request))
    items = [
        {
            "name": r.topic.name,
            "label": r.topic.label,
            "posts": r.posts,
            "last_used": r.last_used,
            "followers": r.followers,
            "following": r.following,
        }
        for r in rows
    ]
    return {"items": items}


@router.get("/topics/{name}", response=TopicOut, summary="A topic")
def get_topic(request: HttpRequest, name: str) -> dict:
    viewer = viewer_of(request)
    topic = get_topic_for(viewer, name)
    following = selectors.follows_of(viewer).filter(topic=topic).exists()
    return {"name": topic.name, "label": topic.label, "following": following}


@router.get("/topics/{name}/posts", response=FeedPageOut, summary="Posts about a topic that I may see")
def topic_feed(request: HttpRequest, name: str, query: Query[FeedQuery]) -> dict:
    viewer = viewer_of(request)
    try:
        topic = get_topic_for(viewer, name)
    except NotFound:
        return {"items": [], "next_cursor": None}
    return _page(viewer, selectors.topic_posts(viewer, topic), query)


@router.get("/members/{user_id}/posts", response=FeedPageOut, summary="A person's posts that I may see")
def profile_feed(request: HttpRequest, user_id: Id, query: Query[FeedQuery]) -> dict:
    viewer = viewer_of(request)
    person = get_person_for(viewer, user_id)
    return _page(viewer, selectors.profile_posts(viewer, person), query)


class TopQuery(Schema):
    by: str = Field("read", description="read or commented")
    period: str = Field("week", description="week or month")
    space_id: Id | None = None


@router.get("/top-posts", response=list[TopPostOut], summary="Most read or most commented posts")
def top_posts(request: HttpRequest, query: Query[TopQuery]) -> list[dict]:
    viewer = viewer_of(request)
    space = get_space_for(viewer, query.space_id) if query.space_id else None
    posts = selectors.top_posts(viewer, by=query.by, period=query.period, space=space)
    return [
        {
            "id": p.pk,
            "space": _space_ref(p),
            "author": _author(p.author),
            "excerpt": markdown.plain_text(p.body, 140),
            "score": p.score,  # type: ignore[attr-defined]
        }
        for p in posts
    ]


# --- posts ---------------------------------------------------------------------------


@router.post("/posts", response={200: PostCreatedOut, 201: PostCreatedOut}, summary="Publish a post")
def create_post(
    request: HttpRequest,
    payload: PostIn,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Status:
    viewer = viewer_of(request)
    if idempotency_key and payload.idempotency_key and idempotency_key != payload.idempotency_key:
        raise Invalid(fields={"idempotency_key": _("The Idempotency-Key header and the body's key differ.")})
    key = idempotency_key or payload.idempotency_key
    space = get_space_for(viewer, payload.space_id) if payload.space_id is not None else None
    label = labels.get_label_for(viewer, payload.label_id) if payload.label_id is not None else None
    post, report = actions.create_post(
        viewer,
        space=space,
        body=payload.body,
        kind=payload.kind,
        attachment_ids=payload.attachment_ids,
        label=label,
        idempotency_key=key,
    )
    if report.replayed:
        return Status(200, post_out(viewer, post, []))
    warnings = [report.warning] if report.warning else []
    return Status(201, new_post_out(post, warnings, has_files=bool(payload.attachment_ids)))


@router.get("/posts/{post_id}", response=PostOut, summary="One post")
def get_post(request: HttpRequest, post_id: Id) -> dict:
    viewer = viewer_of(request)
    return post_out(viewer, get_post_for(viewer, post_id))


@router.patch("/posts/{post_id}", response=PostCreatedOut, summary="Edit my post (the previous text is kept)")
def edit_post(request: HttpRequest, post_id: Id, payload: PostPatch) -> dict:
    viewer = viewer_of(request)
    post, report = actions.edit_post(viewer, post=get_post_for(viewer, post_id), body=payload.body)
    return post_out(viewer, post, [report.warning] if report.warning else [])


@router.put("/posts/{post_id}/label", response=PostOut, summary="Change a post's confidentiality label (author)")
def set_post_label(request: HttpRequest, post_id: Id, payload: PostLabelIn) -> dict:
    viewer = viewer_of(request)
    post = get_post_for(viewer, post_id)
    actions.set_post_label(viewer, post=post, label=labels.get_label_for(viewer, payload.label_id))
    return post_out(viewer, post)


@router.delete("/posts/{post_id}", response={204: None}, summary="Delete a post (author or managers)")
def delete_post(request: HttpRequest, post_id: Id) -> Status:
    viewer = viewer_of(request)
    actions.delete_post(viewer, post=get_post_for(viewer, post_id))
    return Status(204, None)


@router.get("/posts/{post_id}/revisions", response=list[RevisionOut], summary="Earlier versions of a post")
def post_revisions(request: HttpRequest, post_id: Id) -> object:
    post = get_post_for(viewer_of(request), post_id)
    return list(post.revisions.all())


@router.post("/posts/{post_id}/pin", response=PostOut, summary="Pin a post to the top of its space (managers)")
def pin_post(request: HttpRequest, post_id: Id) -> dict:
    viewer = viewer_of(request)
    post = actions.set_pinned(viewer, post=get_post_for(viewer, post_id), pinned=True)
    return post_out(viewer, post)


@router.delete("/posts/{post_id}/pin", response=PostOut, summary="Unpin a post (managers)")
def unpin_post(request: HttpRequest, post_id: Id) -> dict:
    viewer = viewer_of(request)
    post = actions.set_pinned(viewer, post=get_post_for(viewer, post_id), pinned=False)
    return post_out(viewer, post)


@router.post("/posts/{post_id}/reactions", response=ReactionStateOut, summary="Toggle my reaction")
def react(request: HttpRequest, post_id: Id, payload: ReactionIn) -> dict:
    viewer = viewer_of(request)
    post = get_post_for(viewer, post_id)
    actions.react(viewer, post=post, kind=payload.kind)
    item = selectors.assemble(viewer, [post])[0]
    return {"my_reaction": item.my_reaction, "reactions": item.reactions}


@router.get("/posts/{post_id}/reactions", response=list[ReactorOut], summary="Who reacted")
def list_reactions(request: HttpRequest, post_id: Id) -> object:
    post = get_post_for(viewer_of(request), post_id)
    return list(selectors.reactions_of(post)[:500])


@router.post(
    "/posts/{post_id}/shares", response={201: PostCreatedOut}, summary="Share a post to a space or my followers"
)
def share_post(request: HttpRequest, post_id: Id, payload: ShareIn) -> Status:
    viewer = viewer_of(request)
    post = get_post_for(viewer, post_id)
    space = get_space_for(viewer, payload.space_id) if payload.space_id is not None else None
    share, report = actions.share_post(viewer, post=post, space=space, body=payload.body)
    return Status(201, post_out(viewer, share, [report.warning] if report.warning else []))


# --- comments ------------------------------------------------------------------------


@router.get("/posts/{post_id}/comments", response=list[CommentOut], summary="Comments of a post, oldest first")
def list_comments(request: HttpRequest, post_id: Id) -> list[dict]:
    viewer = viewer_of(request)
    post = get_post_for(viewer, post_id)
    return [comment_out(c) for c in selectors.comments_of(viewer, post)]


@router.post("/posts/{post_id}/comments", response={201: CommentCreatedOut}, summary="Comment or reply")
def create_comment(request: HttpRequest, post_id: Id, payload: CommentIn) -> Status:
    viewer = viewer_of(request)
    post = get_post_for(viewer, post_id)
    parent = get_comment_for(viewer, payload.parent_id) if payload.parent_id else None
    comment, report = actions.create_comment(
        viewer, post=post, body=payload.body, parent=parent, attachment_ids=payload.attachment_ids
    )
    return Status(201, comment_out(comment, [report.warning] if report.warning else []))


@router.patch("/comments/{comment_id}", response=CommentOut, summary="Edit my comment")
def edit_comment(request: HttpRequest, comment_id: Id, payload: CommentPatch) -> dict:
    viewer = viewer_of(request)
    return comment_out(actions.edit_comment(viewer, comment=get_comment_for(viewer, comment_id), body=payload.body))


@router.delete("/comments/{comment_id}", response={204: None}, summary="Delete a comment (author or managers)")
def delete_comment(request: HttpRequest, comment_id: Id) -> Status:
    viewer = viewer_of(request)
    actions.delete_comment(viewer, comment=get_comment_for(viewer, comment_id))
    return Status(204, None)


@router.post("/comments/{comment_id}/answer", response=CommentOut, summary="Mark the answer to a question")
def mark_answer(request: HttpRequest, comment_id: Id) -> dict:
    viewer = viewer_of(request)
    return comment_out(actions.mark_answer(viewer, comment=get_comment_for(viewer, comment_id)))


@router.delete("/comments/{comment_id}/answer", response=CommentOut, summary="Unmark the answer")
def unmark_answer(request: HttpRequest, comment_id: Id) -> dict:
    viewer = viewer_of(request)
    return comment_out(actions.mark_answer(viewer, comment=get_comment_for(viewer, comment_id), is_answer=False))


# --- follows, reads, files, mentions ------------------------------------------------------


def _follow_targets(viewer: User, payload: FollowIn) -> dict:
    targets: dict = {}
    if payload.person_id is not None:
        targets["person"] = get_person_for(viewer, payload.person_id)
    if payload.space_id is not None:
        targets["space"] = get_space_for(viewer, payload.space_id)
    if payload.topic is not None:
        targets["topic"] = get_topic_for(viewer, payload.topic.lstrip("#"))
    return targets


@router.get("/follows", response=list[FollowOut], summary="What I follow")
def list_follows(request: HttpRequest) -> object:
    return list(selectors.follows_of(viewer_of(request)))


@router.post("/follows", response={201: FollowOut}, summary="Follow a person, a space or a topic")
def create_follow(request: HttpRequest, payload: FollowIn) -> Status:
    viewer = viewer_of(request)
    return Status(201, actions.follow(viewer, **_follow_targets(viewer, payload)))


@router.post("/follows/remove", response={204: None}, summary="Stop following")
def delete_follow(request: HttpRequest, payload: FollowIn) -> Status:
    viewer = viewer_of(request)
    actions.unfollow(viewer, **_follow_targets(viewer, payload))
    return Status(204, None)


@router.post("/reads", response=ReadsOut, summary="Record posts I have seen (in batches)")
def record_reads(request: HttpRequest, payload: ReadsIn) -> dict:
    return {"recorded": actions.record_reads(viewer_of(request), post_ids=payload.post_ids)}


@router.post("/files", response={201: AttachmentOut}, summary="Upload a file to attach to a post or comment")
def upload_file(request: HttpRequest, file: File[UploadedFile], name: Form[str | None] = None) -> Status:
    """`name` (optional) is the file's name as the person sees it; by default, the uploaded file's name.

    Django already reduces a multipart file name to its last part, so only an explicit
    `name` can carry folder parts; those are refused rather than silently cut.
    """
    viewer = viewer_of(request)
    display_name = name if name is not None else (file.name or "")
    if file.file is None:
        raise Invalid(fields={"file": "Choose a file to upload."})
    attachment = actions.upload_attachment(viewer, stream=file.file, name=display_name, size=file.size or 0)
    return Status(201, attachment_out(attachment))


class MentionQuery(Schema):
    space_id: Id | None = Field(None, description="only people who can see this space")
    q: str = Field("", max_length=50)


@router.get("/mentions/suggest", response=list[AuthorOut], summary="People to @mention")
def suggest_mentions(request: HttpRequest, query: Query[MentionQuery]) -> object:
    viewer = viewer_of(request)
    people = people_visible_to(viewer)
    if query.space_id is not None:
        space = get_space_for(viewer, query.space_id)
        people = people.filter(readers_filter(space)).distinct()
    if query.q:
        term = query.q.lstrip("@")
        people = people.filter(Q(handle__istartswith=term) | Q(full_name__icontains=term))
    return list(people.exclude(pk=viewer.pk).order_by("full_name")[:10])
