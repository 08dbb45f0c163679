from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Status

from alveole.accounts.access import viewer_of
from alveole.accounts.models import User
from alveole.api.pagination import PageQuery, cursor_page
from alveole.core import markdown
from alveole.core.bounds import Id
from alveole.feed.models import Post
from alveole.spaces.access import get_space_for

from . import actions, push, selectors, vapid
from .access import get_notification_for, settings_of
from .models import Notification, PushSubscription, SpaceMute
from .schemas import (
    CatchUpDoneIn,
    CatchUpOut,
    MuteIn,
    NotificationOut,
    NotificationPage,
    PushDeviceOut,
    PushEndpointIn,
    PushKeyOut,
    PushSettingsIn,
    PushSettingsOut,
    PushSubscriptionIn,
    SettingsIn,
    SettingsOut,
    UnreadOut,
)

router = Router(tags=["notifications"])


def notification_out(n: Notification) -> dict:
    return {
        "id": n.pk,
        "kind": n.kind,
        "text": selectors.describe(n),
        "post_id": n.post_id,
        "comment_id": n.comment_id,
        "space_id": n.space_id,
        "actor_id": n.actor_id,
        "actor_count": n.actor_count,
        "unread": n.read_at is None,
        "updated_at": n.updated_at,
    }


@router.get("/notifications", response=NotificationPage, summary="My notifications, newest first")
def list_notifications(request: HttpRequest, query: Query[PageQuery]) -> dict:
    viewer = viewer_of(request)
    page = cursor_page(query, selectors.notification_list(viewer), order=("-updated_at", "-id"), out=notification_out)
    return {**page, "unread": selectors.unread_count(viewer)}


@router.get("/notifications/unread", response=UnreadOut, summary="How many notifications I have not read")
def unread(request: HttpRequest) -> dict:
    return {"unread": selectors.unread_count(viewer_of(request))}


@router.post("/notifications/{notification_id}/read", response=NotificationOut, summary="Mark one as read")
def read_one(request: HttpRequest, notification_id: Id) -> dict:
    viewer = viewer_of(request)
    return notification_out(actions.mark_read(viewer, notification=get_notification_for(viewer, notification_id)))


@router.post("/notifications/read-all", response=UnreadOut, summary="Mark all as read")
def read_all(request: HttpRequest) -> dict:
    viewer = viewer_of(request)
    actions.mark_all_read(viewer)
    return {"unread": 0}


def _settings_out(viewer: User) -> dict:
    prefs = settings_of(viewer)
    return {
        "muted_kinds": prefs.muted_kinds,
        "email_kinds": prefs.email_kinds,
        "email_mode": prefs.email_mode,
        "work_start": prefs.work_start,
        "work_end": prefs.work_end,
        "work_days": prefs.work_days,
        "muted_space_ids": list(SpaceMute.objects.filter(user=viewer).values_list("space_id", flat=True)),
    }


@router.get("/notifications/settings", response=SettingsOut, summary="My notification settings")
def get_settings(request: HttpRequest) -> dict:
    return _settings_out(viewer_of(request))


@router.patch("/notifications/settings", response=SettingsOut, summary="Change my notification settings")
def update_settings(request: HttpRequest, payload: SettingsIn) -> dict:
    viewer = viewer_of(request)
    actions.update_settings(viewer, **payload.dict(exclude_unset=True))
    return _settings_out(viewer)


@router.post("/spaces/{space_id}/mute", response={204: None}, summary="Mute or unmute a space's notifications")
def mute_space(request: HttpRequest, space_id: Id, payload: MuteIn) -> Status:
    viewer = viewer_of(request)
    actions.set_space_muted(viewer, space=get_space_for(viewer, space_id), muted=payload.muted)
    return Status(204, None)


def _post_out(post: Post) -> dict:
    return {
        "id": post.pk,
        "author": post.author.full_name,
        "excerpt": markdown.plain_text(post.body, 160),
        "created_at": post.created_at,
        "comment_count": post.comment_count,
    }


@router.get("/catch-up", response=CatchUpOut, summary="What happened since my last catch-up")
def catch_up(request: HttpRequest) -> dict:
    data = selectors.catch_up(viewer_of(request))
    return {
        "since": data.since,
        "until": data.until,
        "spaces": [
            {
                "space_id": g.space.pk if g.space else None,
                "space_name": g.space.name if g.space else None,
                "new_posts": g.new_posts,
                "for_me": [_post_out(p) for p in g.for_me],
                "busiest": [_post_out(p) for p in g.busiest],
            }
            for g in data.spaces
        ],
        "notifications": [notification_out(n) for n in data.notifications],
    }


@router.post("/catch-up/done", response={204: None}, summary="Mark the catch-up as read")
def catch_up_done(request: HttpRequest, payload: CatchUpDoneIn) -> Status:
    actions.finish_catch_up(viewer_of(request), post_ids=payload.post_ids, until=payload.until)
    return Status(204, None)


# --- Web Push ---


def _device_out(subscription: PushSubscription) -> dict:
    return {
        "id": subscription.pk,
        "device": subscription.device,
        "created_at": subscription.created_at,
        "last_success_at": subscription.last_success_at,
    }


def _push_settings_out(viewer: User) -> dict:
    devices = PushSubscription.objects.filter(user=viewer, organisation_id=viewer.org_id).order_by("-created_at")
    return {"kinds": push.push_kinds_of(viewer), "devices": [_device_out(d) for d in devices]}


@router.get("/push/key", response=PushKeyOut, summary="The server's public VAPID key, to subscribe a device to pushes")
def push_key(request: HttpRequest) -> dict:
    viewer_of(request)
    return {"public_key": vapid.application_server_key()}


@router.post(
    "/push/subscriptions", response={201: PushDeviceOut}, summary="Turn pushes on for this device (its subscription)"
)
def subscribe_push(request: HttpRequest, payload: PushSubscriptionIn) -> Status:
    subscription = actions.subscribe_push(
        viewer_of(request),
        endpoint=payload.endpoint,
        p256dh=payload.keys.p256dh,
        auth=payload.keys.auth,
        device=payload.device,
    )
    return Status(201, _device_out(subscription))


@router.delete("/push/subscriptions", response={204: None}, summary="Turn pushes off for this device")
def unsubscribe_push(request: HttpRequest, payload: PushEndpointIn) -> Status:
    actions.unsubscribe_push(viewer_of(request), endpoint=payload.endpoint)
    return Status(204, None)


@router.get("/push/settings", response=PushSettingsOut, summary="What I have pushed, and to which devices")
def get_push_settings(request: HttpRequest) -> dict:
    return _push_settings_out(viewer_of(request))


@router.put("/push/settings", response=PushSettingsOut, summary="Choose what is pushed to my devices")
def update_push_settings(request: HttpRequest, payload: PushSettingsIn) -> dict:
    viewer = viewer_of(request)
    actions.update_push_kinds(viewer, kinds=payload.kinds)
    return _push_settings_out(viewer)
