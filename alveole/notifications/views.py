"""Notification pages: the list, opening one, settings (kinds, email, working hours, muted spaces), catch-up.

Thin as the other views: a form parses, `access` finds, one action changes, then a redirect.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alveole.accounts.access import viewer_of
from alveole.accounts.identity import organisations_of
from alveole.accounts.models import User
from alveole.core.cursors import paginate
from alveole.core.errors import Invalid
from alveole.spaces.access import get_space_for
from alveole.spaces.selectors import my_open_spaces
from alveole.web.shortcuts import act, safe_next, submit, ticked, web_view

from . import actions, selectors
from .access import get_notification_for, settings_of
from .forms import CatchUpDoneForm, MuteForm, PushForm, SettingsForm
from .models import Kind, Notification, PushSubscription, SpaceMute
from .push import push_kinds_of

PAGE_SIZE = 30


def target_url(notification: Notification) -> str:
    """Where a notification leads: the comment or post it is about, else the space."""
    if notification.kind == Kind.REPORT:
        # The item may be gone or hidden from the reporter: lead to the space, which they can see.
        item = notification.comment or notification.post
        if item is not None and item.deleted_at is None and item.hidden_at is None and notification.post_id:
            return reverse("post", args=[notification.post_id])
    elif notification.post_id is not None:
        url = reverse("post", args=[notification.post_id])
        if notification.comment_id is not None and notification.kind in (Kind.MENTION, Kind.REPLY, Kind.REVIEW):
            return f"{url}#comment-{notification.comment_id}"
        return url
    if notification.kind == Kind.QUEUE and notification.space_id is not None:
        return f"{reverse('moderation_queue')}?space={notification.space_id}"
    if notification.kind in (Kind.TASK_ASSIGNED, Kind.TASK_DUE):
        return reverse("my_tasks")
    if notification.space_id is not None:
        return reverse("space_detail", args=[notification.space_id])
    return reverse("notifications")


def _rows(items: list[Notification]) -> list[dict[str, Any]]:
    return [{"n": n, "text": selectors.describe(n), "unread": n.read_at is None} for n in items]


@web_view
def notification_list(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    items, next_cursor = paginate(
        selectors.notification_list(viewer),
        order=("-updated_at", "-id"),
        cursor=request.GET.get("cursor") or None,
        limit=PAGE_SIZE,
    )
    context = {
        "rows": _rows(items),
        "more_url": f"{reverse('notifications')}?cursor={next_cursor}" if next_cursor else "",
        "is_first_page": not request.GET.get("cursor"),
        "unread": selectors.unread_count(viewer),
    }
    return render(request, "notifications/list.html", context)


@web_view
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Following a notification marks it read, then goes to what it is about."""
    viewer = viewer_of(request)
    notification = get_notification_for(viewer, notification_id)
    actions.mark_read(viewer, notification=notification)
    return redirect(target_url(notification))


@require_POST
@web_view
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = actions.mark_all_read(viewer_of(request))
    if count:
        messages.success(request, _("All notifications are marked as read."))
    else:
        messages.info(request, _("There was nothing unread."))
    return redirect(safe_next(request, reverse("notifications")))


# --- settings ---------------------------------------------------------------------------------


def _settings_page(request: HttpRequest, viewer: User, form: SettingsForm, *, status: int = 200) -> HttpResponse:
    spaces = list(my_open_spaces(viewer)[:200])
    muted = set(SpaceMute.objects.filter(user=viewer).values_list("space_id", flat=True))
    context = {
        "form": form,
        "spaces": [{"space": s, "muted": s.pk in muted} for s in spaces],
        "emails_from": _emails_from(request, viewer),
        "push_form": PushForm(initial={"push_kinds": push_kinds_of(viewer)}),
        "push_devices": PushSubscription.objects.filter(user=viewer, organisation_id=viewer.org_id).order_by(
            "-created_at"
        ),
    }
    return render(request, "notifications/settings.html", context, status=status)


@require_POST
@web_view
def notification_push_kinds(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    form = PushForm(request.POST)
    # An unknown kind is refused by the action, with the same sentence as the API's.
    kinds = form.cleaned_data["push_kinds"] if form.is_valid() else request.POST.getlist("push_kinds")
    return act(
        request,
        lambda: actions.update_push_kinds(viewer, kinds=kinds),
        done=_("Your push settings are saved."),
        then=reverse("notification_settings") + "#push",
    )


@require_POST
@web_view
def notification_push_device_remove(request: HttpRequest, subscription_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    return act(
        request,
        lambda: actions.remove_push_device(viewer, subscription_id=subscription_id),
        done=_("That device no longer receives pushes."),
        then=reverse("notification_settings") + "#push",
    )


def _emails_from(request: HttpRequest, viewer: User) -> User | None:
    """Another of the person's own accounts, when the link came from an email of that organisation
    (`?account=`): these settings are the open organisation's, so the page says so and offers to switch."""
    wanted = request.GET.get("account", "")
    if not wanted.isdigit() or int(wanted) == viewer.pk:
        return None
    return next((a for a in organisations_of(request) if a.pk == int(wanted) and a.is_active), None)


@web_view
def notification_settings(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    if request.method != "POST":
        prefs = settings_of(viewer)
        initial = {
            "kinds": [k for k in Kind.values if k not in prefs.muted_kinds],
            "email_mode": prefs.email_mode,
            "work_start": prefs.work_start,
            "work_end": prefs.work_end,
            "work_days": prefs.work_days,
        }
        return _settings_page(request, viewer, SettingsForm(initial=initial))
    form = SettingsForm(request.POST)
    return submit(
        request,
        form,
        lambda data: actions.update_settings(
            viewer,
            muted_kinds=[k for k in Kind.values if k not in data["kinds"]],
            email_mode=data["email_mode"],
            work_start=data["work_start"],
            work_end=data["work_end"],
            work_days=data["work_days"],
        ),
        done=_("Your notification settings are saved."),
        then=lambda _saved: reverse("notification_settings"),
        page=lambda status: _settings_page(request, viewer, form, status=status),
        field_map={"muted_kinds": "kinds"},
    )


@require_POST
@web_view
def notification_space_mute(request: HttpRequest, space_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    space = get_space_for(viewer, space_id)
    muted = ticked(request, MuteForm, "muted")
    done = _("No more notifications from %(space)s.") if muted else _("Notifications from %(space)s are back on.")
    return act(request, lambda: actions.set_space_muted(viewer, space=space, muted=muted),
               done=done % {"space": space.name}, then=reverse("notification_settings") + "#spaces")  # fmt: skip


# --- catch-up ---------------------------------------------------------------------------------


def _catch_up_page(request: HttpRequest, viewer: User, *, error: str = "", status: int = 200) -> HttpResponse:
    data = selectors.catch_up(viewer)
    for_me = [p for group in data.spaces for p in group.for_me]
    for_me.sort(key=lambda p: p.created_at, reverse=True)
    spaces = [g for g in data.spaces if g.busiest or g.new_posts]
    context = {
        "since": data.since,
        "notifications": _rows(data.notifications),
        "for_me": for_me,
        "spaces": spaces,
        "post_ids": data.post_ids,
        "until": data.until,
        "votes": data.votes,
        "decisions": data.decisions,
        "deadlines": data.deadlines,
        "is_empty": data.is_empty,
        "error": error,
    }
    return render(request, "notifications/catch_up.html", context, status=status)


@web_view
def catch_up(request: HttpRequest) -> HttpResponse:
    return _catch_up_page(request, viewer_of(request))


@require_POST
@web_view
def catch_up_done(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    form = CatchUpDoneForm(request.POST)
    if not form.is_valid():
        message = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return _catch_up_page(request, viewer, error=message or str(Invalid.default_message), status=400)
    actions.finish_catch_up(viewer, post_ids=form.cleaned_data["post_ids"], until=form.cleaned_data["until"])
    messages.success(request, _("You're all caught up."))
    return redirect("catch_up")
