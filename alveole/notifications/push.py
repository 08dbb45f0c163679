"""Web Push: what a push says, and handing it to the push services (the sending side, like mail's outbound).

A new notification line queues one job (receivers.py); the job writes one outbox row per device of the person
(PushDelivery, unique per line and device) and sends the pending ones when the person is at work
(hours.py, the same rule as emails). Outside working hours the rows wait; the periodic `send_held_pushes` sends
them once the working day starts, and retries the ones a push service could not take. A row is claimed
(PENDING → SENDING, committed) before its push leaves, so a push is sent at most once however often a job runs.

A push never carries confidential text: for a direct message, or anything under a restricted label
(spaces/labels.py), it says only that there is something new, with the link.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import logging
import socket
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db.models import F
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pywebpush import WebPushException, webpush

from alveole.accounts.models import User
from alveole.core.errors import Invalid
from alveole.spaces import labels

from . import hours, vapid
from .access import settings_of
from .models import Kind, Notification, PushDelivery, PushKind, PushSettings, PushState, PushSubscription
from .selectors import describe

log = logging.getLogger(__name__)

PLACEHOLDER = gettext_lazy("New activity in Alvéole")
# Kinds whose text is confidential by nature, whatever the label.
CONFIDENTIAL_KINDS = {PushKind.DIRECT_MESSAGE.value}
# The push service no longer knows this device (RFC 8030 §7.3): the subscription is removed.
GONE = {404, 410}
LINE_JOINS = ("user", "actor", "post", "post__label", "post__space__label", "space", "space__label", "comment")


# --- choices -----------------------------------------------------------------------------------


def push_kinds_of(user: User) -> list[str]:
    """The kinds the person wants pushed (all of them until they choose)."""
    chosen = PushSettings.objects.filter(user=user).values_list("kinds", flat=True).first()
    return list(PushKind.values) if chosen is None else list(chosen)


def check_endpoint(url: str) -> str:
    """A push service's address the server may post to: https on a public address, so a subscription cannot
    make the server call the internal network (unless ALVEOLE_PUSH_ALLOW_INSECURE_ENDPOINTS, for tests)."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise Invalid(fields={"endpoint": _("Enter the push service's full address, starting with https://.")})
    if settings.ALVEOLE_PUSH_ALLOW_INSECURE_ENDPOINTS:
        return url
    if parts.scheme != "https":
        raise Invalid(fields={"endpoint": _("The push service's address must start with https://.")})
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except (socket.gaierror, UnicodeError):
        raise Invalid(fields={"endpoint": _("The push service's host name does not resolve.")}) from None
    if any(not ipaddress.ip_address(str(a).split("%", 1)[0]).is_global for a in addresses):
        raise Invalid(fields={"endpoint": _("This address points to a private network, which Alvéole does not call.")})
    return url


# --- what a push says ----------------------------------------------------------------------------


def is_confidential(line: Notification) -> bool:
    if line.kind in CONFIDENTIAL_KINDS or line.kind not in Kind.values:
        return True  # a kind this code does not describe is not guessed at: the placeholder
    return labels.is_restricted(line.post) or labels.is_restricted(line.space)


def payload(line: Notification) -> dict[str, str]:
    """The push's JSON, in the person's language: what sw-push.js shows. `url` opens the line (and marks it read)."""
    with translation.override(line.user.language or settings.LANGUAGE_CODE):
        body = str(PLACEHOLDER) if is_confidential(line) else describe(line)
        return {
            "title": "Alvéole",
            "body": body,
            "url": reverse("notification_open", args=[line.pk]),
            "tag": f"notification-{line.pk}",
            "icon": static("alveole/favicon.svg"),
        }


# --- sending -------------------------------------------------------------------------------------


def _queue(line: Notification) -> None:
    """One outbox row per device of the person, in the line's organisation, when they want this kind pushed."""
    if line.kind not in push_kinds_of(line.user):
        return
    devices = PushSubscription.objects.filter(user_id=line.user_id, organisation_id=line.organisation_id)
    for subscription in devices:
        PushDelivery.objects.get_or_create(notification=line, subscription=subscription)


def deliver(notification_id: int, now: datetime.datetime | None = None) -> int:
    """Queue a new line's pushes and send them if the person is at work. Returns how many were sent."""
    now = now or timezone.now()
    line = Notification.objects.select_related(*LINE_JOINS).filter(pk=notification_id).first()
    if line is None or not line.user.is_active:
        return 0
    _queue(line)
    return _send_line(line, now)


def send_held(now: datetime.datetime | None = None) -> int:
    """Send the pushes that waited for working hours or for a push service to come back; drop the stale ones."""
    now = now or timezone.now()
    oldest = now - datetime.timedelta(hours=settings.ALVEOLE_PUSH_MAX_AGE_HOURS)
    PushDelivery.objects.filter(state=PushState.PENDING, created_at__lt=oldest).update(state=PushState.DROPPED)
    waiting = PushDelivery.objects.filter(state=PushState.PENDING).values_list("notification_id", flat=True)
    sent = 0
    for line in Notification.objects.select_related(*LINE_JOINS).filter(pk__in=waiting.distinct()):
        sent += _send_line(line, now)
    return sent


def _send_line(line: Notification, now: datetime.datetime) -> int:
    pending = PushDelivery.objects.filter(notification=line, state=PushState.PENDING)
    if line.read_at is not None or not line.user.is_active or line.kind not in push_kinds_of(line.user):
        pending.update(state=PushState.DROPPED)  # seen in the app meanwhile, or no longer wanted pushed
        return 0
    if not hours.is_working_now(line.user, settings_of(line.user), now):
        return 0  # it waits for the start of their working day
    data = json.dumps(payload(line))
    return sum(_send_one(row, data, now) for row in pending.select_related("subscription"))


def _send_one(row: PushDelivery, data: str, now: datetime.datetime) -> int:
    # The claim is committed before the push leaves: a job run again, or a second worker, finds it taken.
    claimed = PushDelivery.objects.filter(pk=row.pk, state=PushState.PENDING).update(
        state=PushState.SENDING, attempts=F("attempts") + 1
    )
    if not claimed:
        return 0
    subscription = row.subscription
    state: str = PushState.SENT
    try:
        webpush(
            subscription_info={
                "endpoint": subscription.endpoint,
                "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
            },
            data=data,
            vapid_private_key=vapid.server_key(),
            vapid_claims={"sub": vapid.subject()},
            ttl=settings.ALVEOLE_PUSH_TTL_SECONDS,
            timeout=settings.ALVEOLE_PUSH_TIMEOUT_SECONDS,
        )
    except WebPushException as error:
        status = error.status_code
        if status in GONE:
            log.info("push: subscription %s is gone (%s), removed", subscription.pk, status)
            subscription.delete()  # and its outbox rows with it
            return 0
        if status is not None and 400 <= status < 500 and status != 429:
            log.warning("push: refused by the push service (%s) for subscription %s", status, subscription.pk)
            state = PushState.FAILED
        else:
            state = _retry_or_give_up(row)
    except (requests.RequestException, ValueError):
        log.warning("push: could not reach the push service of subscription %s", subscription.pk, exc_info=True)
        state = _retry_or_give_up(row)
    PushDelivery.objects.filter(pk=row.pk).update(state=state, sent_at=now if state == PushState.SENT else None)
    if state == PushState.SENT:
        PushSubscription.objects.filter(pk=subscription.pk).update(last_success_at=now)
        return 1
    return 0


def _retry_or_give_up(row: PushDelivery) -> str:
    attempts = PushDelivery.objects.filter(pk=row.pk).values_list("attempts", flat=True).first() or 0
    return PushState.FAILED if attempts >= settings.ALVEOLE_PUSH_MAX_ATTEMPTS else PushState.PENDING
