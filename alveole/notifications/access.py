from __future__ import annotations

from django.db.models import QuerySet

from alveole.accounts.models import User
from alveole.core.errors import NotFound

from .models import Notification, NotificationSettings


def notifications_of(viewer: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=viewer, organisation_id=viewer.org_id)


def get_notification_for(viewer: User, notification_id: int | str) -> Notification:
    try:
        return notifications_of(viewer).get(pk=int(notification_id))
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def settings_of(user: User) -> NotificationSettings:
    """The person's settings, or the defaults (unsaved) when they never changed them."""
    return NotificationSettings.objects.filter(user=user).first() or NotificationSettings(user=user)
