"""When a person may be interrupted: their working hours and days, in their time zone. The one rule for what
leaves the app on its own — emails (alveole.mail.outbound) and pushes (push.py) both wait for it."""

from __future__ import annotations

import datetime
import zoneinfo

from alveole.accounts.models import User

from .models import NotificationSettings


def time_zone_of(user: User) -> datetime.tzinfo:
    try:
        return zoneinfo.ZoneInfo(user.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return datetime.UTC


def in_working_hours(prefs: NotificationSettings, local: datetime.datetime) -> bool:
    return local.weekday() in prefs.work_days and prefs.work_start <= local.time() < prefs.work_end


def is_working_now(user: User, prefs: NotificationSettings, now: datetime.datetime) -> bool:
    """Whether `now` falls in the person's working hours, on their clock."""
    return in_working_hours(prefs, now.astimezone(time_zone_of(user)))
