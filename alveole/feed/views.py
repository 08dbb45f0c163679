"""Feed pages and the post, comment, reaction, share and follow forms behind them.

Every form works as a plain POST followed by a redirect. The JS layer sends the same
forms with the `X-Alveole-Fragment: 1` header and gets back rendered HTML to put in
place (a card, a reactions bar, a comment thread), so there is one template per thing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET, require_POST

from alveole.accounts.access import viewer_of
from alveole.accounts.models import User
from alveole.core.errors import AlveoleError, Invalid, NotFound, PermissionDenied
from alveole.spaces import labels
from alveole.spaces.access import get_space_for
from alveole.spaces.models import Space
from alveole.spaces.pages import space_header
from alveole.spaces.people import get_person_for
from alveole.spaces.selectors import spaces_for
from alveole.web.shortcuts import (
    act,
    apply_error,
    invalid_form_status,
    render_error,
    safe_next,
    submit,
    ticked,
    web_view,
)

from . import actions, reactions, selectors
from .access import get_comment_for, get_post_for, get_topic_for, visible_posts
from .forms import FOLLOWERS, CommentForm, EditForm, FollowForm, PinForm, PostForm, ReactForm, ShareForm
from .models import Comment, Post, Review, Topic
from .pages import (
    card_context,
    feed_context,
    fragment_or_page,
    keep_offline,
    managed_ids,
    page_path,
    postable_spaces,
    wants_fragment,
)


def _item(viewer: User, post: Post) -> selectors.FeedItem:
    fresh = selectors.with_joins(visible_posts(viewer)).get(pk=post.pk)
    return selectors.assemble(viewer, [fresh])[0]


def _card(
    request: HttpRequest, viewer: User, post: Post, *, here: str, status: int = 200, **extra: Any
) -> HttpResponse:
    item = _item(viewer, post)
    context = {"item": item, "here": here, **card_context(viewer, [item]), **extra}
    return render(request, "feed/_card_response.html", context, status=status)


def _form_message(form: Any) -> str:
    """The form's errors as one sentence, for the JS layer to show next to the form."""
    # A domain error lands on its field and in the summary (apply_error): say it once.
    return " ".join(dict.fromkeys(str(e) for errors in form.errors.values() for e in errors))


def _error_fragment(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "feed/_error.html", {"message": message}, status=status)


def _refused(request: HttpRequest, exc: AlveoleError) -> HttpResponse:
    """A refused change: for the JS layer, a fragment that says why; otherwise an error page."""
    if wants_fragment(request):
        return _error_fragment(request, exc.message, exc.status)
    return render_error(request, exc)


def _threads(comments: list[Comment]) -> list[dict[str, Any]]:
    threads: list[dict[str, Any]] = []
    by_id: dict[int, dict[str, Any]] = {}
    present = {c.pk for c in comments}
    for comment in comments:
        # A reply whose comment was deleted stands on its own.
        if comment.parent_id is None or comment.parent_id not in present:
            by_id[comment.pk] = {"comment": comment, "replies": []}
            threads.append(by_id[comment.pk])
    for comment in comments:
        if comment.parent_id is not None and comment.parent_id in by_id:
            by_id[comment.parent_id]["replies"].append(comment)
    return threads


def _comments_context(viewer: User, post: Post, *, here: str) -> dict[str, Any]:
    managed = managed_ids(viewer, [selectors.FeedItem(post=post)])
    return {
        "post": post,
        "threads": _threads(selectors.comments_of(viewer, post)),
        "can_moderate": post.space_id in managed,
        "writable": post.space is None or not post.space.is_archived,
        "here": here,
    }


def _post_url(post: Post) -> str:
    return reverse("post", args=[post.pk])


# --- pages -----------------------------------------------------------------------------------


@web_view
def topics(request: HttpRequest) -> HttpResponse:
    rows = selectors.topic_directory(viewer_of(request))
    return render(request, "feed/topics.html", {"rows": rows})


@web_view
def topic(request: HttpRequest, name: str) -> HttpResponse:
    viewer = viewer_of(request)
    try:
        found: Topic | None = get_topic_for(viewer, name)
    except NotFound:
        found = None  # never used where the viewer can look: the same page as a name nobody used
    context: dict[str, Any] = {"name": name, "topic": found, "following": False}
    if found is not None:
        context.update(feed_context(request, viewer, selectors.topic_posts(viewer, found)))
        context["following"] = selectors.follows_of(viewer).filter(topic=found).exists()
    else:
        context.update({"items": [], "more_url": "", "here": page_path(request), "is_first_page": True})
    return fragment_or_page(request, "feed/topic.html", context)


@web_view
def post_detail(request: HttpRequest, post_id: int) -> HttpResponse:
    """The post's page; with `?fragment=1` only its card (the live layer inserts it into a feed).

    `&feed=home&filter=…` answers 204 when the post is not part of that home feed, so the page
    does not show a post its feed would not list.
    """
    viewer = viewer_of(request)
    post = get_post_for(viewer, post_id)
    if wants_fragment(request):
        if request.GET.get("feed") == "home":
            in_feed = selectors.home_posts(viewer, filter=request.GET.get("filter") or "all").filter(pk=post.pk)
            if not in_feed.exists():
                return HttpResponse(status=204)
        return _card(request, viewer, post, here=safe_next(request, _post_url(post)))
    return _post_page(request, viewer, post)


def _post_page(
    request: HttpRequest, viewer: User, post: Post, *, comment_form: CommentForm | None = None, status: int = 200
) -> HttpResponse:
    item = _item(viewer, post)
    here = reverse("post", args=[post.pk])
    context = {
        "item": item,
        "here": here,
        "expanded": True,
        "comment_form": comment_form,
        **card_context(viewer, [item]),
        **_comments_context(viewer, post, here=here),
    }
    return render(request, "feed/post.html", context, status=status)


@web_view
def post_reactions(request: HttpRequest, post_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    post = get_post_for(viewer, post_id)
    rows = [
        {"user": r.user, "emoji": r.kind, "label": reactions.label(r.kind)} for r in selectors.reactions_of(post)[:500]
    ]
    return render(request, "feed/reactions.html", {"post": post, "rows": rows})


@gzip_page
@require_GET
@web_view
def emoji_data(request: HttpRequest, language: str) -> HttpResponse:
    """The emoji picker's list in one language, from the `emoji` package (feed/reactions.py). Its
    address carries the package's version (feed_tags.client_config), so a browser keeps it a week."""
    if reactions.picker_language(language) != language:
        raise NotFound()
    response = HttpResponse(reactions.picker_json(language), content_type="application/json")
    patch_cache_control(response, private=True, max_age=7 * 24 * 3600)
    return response


# --- posts -----------------------------------------------------------------------------------


def _composer_form(
    viewer: User, data: Any = None, initial: dict | None = None, spaces: list[Space] | None = None
) -> PostForm:
    org_labels = labels.labels_of(viewer.org_id)
    spaces = postable_spaces(viewer) if spaces is None else spaces
    return PostForm(data, initial=initial, spaces=spaces, followers=not viewer.is_guest, labels=org_labels)


@web_view
def post_create(request: HttpRequest) -> HttpResponse:
    """GET: a page with only the composer (the phone's "New"). POST: publish."""
    viewer = viewer_of(request)
    if request.method != "POST":
        initial = {"space": request.GET.get("space", "")}
        spaces = postable_spaces(viewer)
        page = render(request, "feed/compose.html", {"form": _composer_form(viewer, initial=initial, spaces=spaces)})
        # The phone's "New" works offline too (the post waits in the outbox), unless the name of a
        # confidential space is among its choices.
        return page if any(labels.is_restricted(space) for space in spaces) else keep_offline(page, [])
    form = _composer_form(viewer, request.POST)
    fragment = wants_fragment(request)
    if not form.is_valid():
        status = invalid_form_status(form)
        message = _form_message(form)
    else:
        data = form.cleaned_data
        try:
            space = get_space_for(viewer, data["space"]) if data["space"] != FOLLOWERS else None
            label = labels.get_label_for(viewer, data["label"]) if data.get("label") is not None else None
            post, report = actions.create_post(
                viewer,
                space=space,
                body=data["body"],
                kind=data["kind"],
                attachment_ids=data["attachment_ids"],
                label=label,
                idempotency_key=data["idempotency_key"],
            )
        except AlveoleError as exc:
            status = apply_error(form, exc, field_map={"attachment_ids": "body"})
            message = exc.message
        else:
            default = reverse("space_detail", args=[space.pk]) if space else reverse("person", args=[viewer.pk])
            here = safe_next(request, default)
            if fragment:
                status = 200 if report.replayed else 201
                return _card(request, viewer, post, here=here, status=status, warning=report.warning, created=True)
            held = post.review == Review.HELD
            sent = _("Sent: a manager validates it before the others see it.") if held else _("Posted.")
            messages.success(request, sent)
            if report.warning:
                messages.warning(request, report.warning)
            return redirect(here)
    if fragment:
        return _error_fragment(request, message, status)
    return render(request, "feed/compose.html", {"form": form}, status=status)


@web_view
def post_edit(request: HttpRequest, post_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    post = get_post_for(viewer, post_id)
    if post.author_id != viewer.pk:
        # Others may read the post, not open its editor (the action refuses the change anyway).
        raise PermissionDenied(_("Only the author can edit this."))
    form = EditForm(request.POST) if request.method == "POST" else EditForm(initial={"body": post.body})
    back = safe_next(request, _post_url(post))
    return submit(
        request,
        form,
        lambda data: actions.edit_post(viewer, post=post, body=data["body"]),
        done=_("Your changes are saved."),
        warning=lambda edited: edited[1].warning,
        then=lambda edited: back + f"#post-{edited[0].pk}",
        page=lambda status: render(
            request, "feed/edit.html", {"form": form, "post": post, "next": back}, status=status
        ),
    )


@require_POST
@web_view
def post_delete(request: HttpRequest, post_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    post = get_post_for(viewer, post_id)
    try:
        actions.delete_post(viewer, post=post)
    except AlveoleError as exc:
        return _refused(request, exc)
    if wants_fragment(request):
        return render(request, "feed/_deleted.html", {})
    messages.success(request, _("The post is deleted."))
    target = safe_next(request, reverse("home"))
    return redirect(reverse("home") if target.startswith(_post_url(post)) else target)


@require_POST
@web_view
def post_pin(request: HttpRequest, post_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    post = get_post_for(viewer, post_id)
    pinned = ticked(request, PinForm, "pinned")
    return act(
        request,
        lambda: actions.set_pinned(viewer, post=post, pinned=pinned),
        done=_("Pinned to the top of the space.") if pinned else _("Unpinned."),
        then=_post_url(post),
        refused=lambda exc: _refused(request, exc),
    )


@require_POST
@web_view
def post_react(request: HttpRequest, post_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    post = get_post_for(viewer, post_id)
    form = ReactForm(request.POST)
    fragment = wants_fragment(request)
    try:
        if not form.is_valid():
            raise reactions.invalid()
        actions.react(viewer, post=post, kind=form.cleaned_data["kind"])
    except AlveoleError as exc:
        return _refused(request, exc)
    here = safe_next(request, _post_url(post))
    if fragment:
        item = selectors.assemble(viewer, [post])[0]
        return render(request, "feed/_reactions.html", {"item": item, "here": here})
    return redirect(here + f"#post-{post.pk}")


@web_view
def post_share(request: HttpRequest, post_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    post = get_post_for(viewer, post_id)
    fragment = wants_fragment(request)
    spaces = postable_spaces(viewer)
    status = 200
    if request.method == "POST":
        form = ShareForm(request.POST, spaces=spaces, followers=not viewer.is_guest)
        if form.is_valid():
            data = form.cleaned_data
            try:
                space = get_space_for(viewer, data["space"]) if data["space"] != FOLLOWERS else None
                share, report = actions.share_post(viewer, post=post, space=space, body=data["body"])
            except AlveoleError as exc:
                status = apply_error(form, exc)
            else:
                target = reverse("space_detail", args=[space.pk]) if space else reverse("person", args=[viewer.pk])
                if fragment:
                    here = safe_next(request, target)
                    return _card(request, viewer, share, here=here, status=201, warning=report.warning, created=True)
                messages.success(request, _("Shared."))
                if report.warning:
                    messages.warning(request, report.warning)
                return redirect(target)
        else:
            status = invalid_form_status(form)
        if fragment:
            message = _form_message(form)
            return _error_fragment(request, message, status)
    else:
        form = ShareForm(spaces=spaces, followers=not viewer.is_guest)
    item = _item(viewer, post)
    context = {"form": form, "post": post, "item": item, "next": safe_next(request, _post_url(post))}
    template = "feed/_share_form.html" if fragment else "feed/share.html"
    return render(request, template, context, status=status)


# --- comments ---------------------------------------------------------------------------------


def _comments_response(
    request: HttpRequest, viewer: User, post: Post, *, status: int = 200, warning: str = ""
) -> HttpResponse:
    post.refresh_from_db(fields=["comment_count", "answered_at"])
    context = _comments_context(viewer, post, here=safe_next(request, _post_url(post)))
    context["warning"] = warning
    return render(request, "feed/_comments.html", context, status=status)


@web_view
def post_comments(request: HttpRequest, post_id: int) -> HttpResponse:
    """GET: the comment threads (fragment). POST: comment or reply."""
    viewer = viewer_of(request)
    post = get_post_for(viewer, post_id)
    fragment = wants_fragment(request)
    if request.method != "POST":
        if fragment:
            return _comments_response(request, viewer, post)
        return redirect(_post_url(post) + "#comments")
    form = CommentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            parent = get_comment_for(viewer, data["parent_id"]) if data["parent_id"] else None
            if parent is not None and parent.post_id != post.pk:
                raise Invalid(fields={"parent_id": _("You can only reply to a comment of the same post.")})
            comment, report = actions.create_comment(viewer, post=post, body=data["body"], parent=parent)
        except AlveoleError as exc:
            status = apply_error(form, exc)
        else:
            if fragment:
                return _comments_response(request, viewer, post, status=201, warning=report.warning)
            if report.warning:
                messages.warning(request, report.warning)
            return redirect(safe_next(request, _post_url(post)) + f"#comment-{comment.pk}")
    else:
        status = invalid_form_status(form)
    if fragment:
        return _error_fragment(request, _form_message(form), status)
    return _post_page(request, viewer, post, comment_form=form, status=status)


def _comment_change(request: HttpRequest, comment_id: int, change: Any, done: str) -> HttpResponse:
    viewer = viewer_of(request)
    comment = get_comment_for(viewer, comment_id)
    post = comment.post
    try:
        change(viewer, comment)
    except AlveoleError as exc:
        if exc.status != 400 or wants_fragment(request):
            return _refused(request, exc)
        form = CommentForm(request.POST)
        form.is_valid()
        apply_error(form, exc)
        return _post_page(request, viewer, post, comment_form=form, status=400)
    if wants_fragment(request):
        return _comments_response(request, viewer, post)
    messages.success(request, done)
    return redirect(safe_next(request, _post_url(post)) + "#comments")


@require_POST
@web_view
def comment_edit(request: HttpRequest, comment_id: int) -> HttpResponse:
    form = EditForm(request.POST)
    body = form.cleaned_data["body"] if form.is_valid() else ""
    return _comment_change(
        request, comment_id, lambda viewer, c: actions.edit_comment(viewer, comment=c, body=body), _("Comment saved.")
    )


@require_POST
@web_view
def comment_delete(request: HttpRequest, comment_id: int) -> HttpResponse:
    return _comment_change(
        request, comment_id, lambda viewer, c: actions.delete_comment(viewer, comment=c), _("Comment deleted.")
    )


@require_POST
@web_view
def comment_answer(request: HttpRequest, comment_id: int) -> HttpResponse:
    is_answer = request.POST.get("is_answer") == "on"
    return _comment_change(
        request,
        comment_id,
        lambda viewer, c: actions.mark_answer(viewer, comment=c, is_answer=is_answer),
        _("Marked as the answer.") if is_answer else _("No longer marked as the answer."),
    )


# --- follows ------------------------------------------------------------------------------------


@require_POST
@web_view
def topic_follow(request: HttpRequest, name: str) -> HttpResponse:
    return _follow(request, get_topic_for(viewer_of(request), name))


@require_POST
@web_view
def person_follow(request: HttpRequest, user_id: int) -> HttpResponse:
    return _follow(request, get_person_for(viewer_of(request), user_id))


def _follow(request: HttpRequest, target: Topic | User) -> HttpResponse:
    """Follow or unfollow a topic or a person, by the form's `following` box; then back to its page."""
    viewer = viewer_of(request)
    following = ticked(request, FollowForm, "following")
    kwargs: dict[str, Any]
    if isinstance(target, Topic):
        kwargs, then, names = {"topic": target}, reverse("topic", args=[target.name]), {"topic": target.label}
        on = _("You follow #%(topic)s: its posts appear in your home feed.")
        off = _("You no longer follow #%(topic)s.")
    else:
        kwargs, then, names = {"person": target}, reverse("person", args=[target.pk]), {"name": target.full_name}
        on = _("You follow %(name)s: their posts appear in your home feed.")
        off = _("You no longer follow %(name)s.")
    action = actions.follow if following else actions.unfollow
    return act(request, lambda: action(viewer, **kwargs), done=(on if following else off) % names, then=then)


# --- a space's page and a person's page: their feeds ---------------------------------------------


@web_view
def space_detail(request: HttpRequest, space_id: int) -> HttpResponse:
    """A space's page is its feed: composer (members), pinned posts, then the newest; top posts aside."""
    viewer = viewer_of(request)
    space = get_space_for(viewer, space_id)
    pinned = selectors.pinned_posts(viewer, space)
    posts = selectors.space_posts(viewer, space).exclude(pk__in=[i.post.pk for i in pinned])
    feed = feed_context(request, viewer, posts)
    if wants_fragment(request):
        return render(request, "feed/_page.html", feed)
    context = space_header(viewer, space, "feed")
    first = feed["is_first_page"]
    context.update(feed)
    context.update(
        {
            "pinned": pinned if first else [],
            "managed": feed["managed"] | managed_ids(viewer, pinned),
            "composer_space": space,
            "form": PostForm(
                spaces=[space],
                followers=False,
                initial={"space": str(space.pk)},
                labels=labels.post_label_choices(space, labels.labels_of(space.organisation_id)),
            ),
            "can_post": context["membership"] is not None and not space.is_archived,
            "can_announce": context["can_manage"],
            "top_read": selectors.top_posts(viewer, by="read", period="week", space=space) if first else [],
            "top_commented": (selectors.top_posts(viewer, by="commented", period="week", space=space) if first else []),
        }
    )
    response = render(request, "spaces/detail.html", context)
    return keep_offline(response, [*context["pinned"], *feed["items"]], space=space)


# --- members ------------------------------------------------------------------------------


@web_view
def person(request: HttpRequest, user_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    someone = get_person_for(viewer, user_id, include_inactive=True)
    context = feed_context(request, viewer, selectors.profile_posts(viewer, someone))
    if wants_fragment(request):
        return render(request, "feed/_page.html", context)
    shared = spaces_for(viewer, mine=True).filter(memberships__user=someone).order_by("name", "id")
    context.update(
        {
            "person": someone,
            "shared_spaces": list(shared),
            "following": someone.pk != viewer.pk and selectors.follows_of(viewer).filter(person=someone).exists(),
        }
    )
    return render(request, "orgs/person.html", context)
