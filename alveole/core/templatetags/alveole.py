"""Template helpers: relative dates in the viewer's time zone, avatars, navigation state."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, tzinfo
from functools import lru_cache

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()

# Stands for the id in a route reversed once (any run of digits passes an <int:…> converter).
_ANY_ID = 9_876_543_210


@lru_cache(maxsize=256)
def _around_id(name: str, urlconf: str | None, prefix: str) -> tuple[str, str] | None:
    try:
        url = reverse(name, args=[_ANY_ID], urlconf=urlconf)
    except NoReverseMatch:
        return None
    before, found, after = url.partition(str(_ANY_ID))
    return (before, after) if found else None


@register.simple_tag
def path(name: str, pk: int) -> str:
    """`{% url name pk %}` for the one-id routes every card repeats (a feed page has some 300): the route
    is reversed once per script prefix, then each path is a string join — a sixth of a page's rendering
    was spent reversing the same few routes."""
    around = _around_id(name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    if around is None:
        return reverse(name, args=[pk])  # a route that does not take any id
    return f"{around[0]}{int(pk)}{around[1]}"


def _zone_of(context: template.Context) -> tzinfo:
    request = context.get("request")
    user = getattr(request, "user", None)
    name = getattr(user, "time_zone", "") if user is not None and user.is_authenticated else ""
    try:
        return zoneinfo.ZoneInfo(name) if name else timezone.get_current_timezone()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_current_timezone()


def relative_text(value: datetime, now: datetime, local: datetime) -> str:
    """A short relative phrase: "just now", "5 min ago", "2 h ago", "3 d ago", or a date."""
    seconds = int((now - value).total_seconds())
    future = seconds < 0
    seconds = abs(seconds)
    if seconds < 60:
        return _("just now") if not future else _("in a moment")
    minutes, hours, days = seconds // 60, round(seconds / 3600), round(seconds / 86400)
    if minutes < 60:
        return (_("in %(n)d min") if future else _("%(n)d min ago")) % {"n": minutes}
    if seconds < 23.5 * 3600:
        return (_("in %(n)d h") if future else _("%(n)d h ago")) % {"n": hours}
    if seconds < 7.5 * 86400:
        return (_("in %(n)d d") if future else _("%(n)d d ago")) % {"n": days}
    if local.year == now.year:
        return date_format(local, "MONTH_DAY_FORMAT")
    return date_format(local, "DATE_FORMAT")


@register.simple_tag(takes_context=True)
def reltime(context: template.Context, value: datetime | None) -> SafeString | str:
    """<time> with a relative text and the exact local date and time in its title."""
    if value is None:
        return ""
    zone = _zone_of(context)
    local = timezone.localtime(value, zone)
    exact = "{} {}".format(date_format(local, "DATETIME_FORMAT"), local.tzname() or "")
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        value.isoformat(),
        exact.strip(),
        relative_text(value, timezone.now(), local),
    )


@register.simple_tag(takes_context=True)
def exacttime(context: template.Context, value: datetime | None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value, _zone_of(context))
    return "{} {}".format(date_format(local, "DATETIME_FORMAT"), local.tzname() or "").strip()


@register.inclusion_tag("includes/avatar.html")
def avatar(person: object, size: str = "") -> dict:
    return {"person": person, "size": size}


@register.simple_tag(takes_context=True)
def nav_current(context: template.Context, prefix: str, exact: bool = False) -> SafeString | str:
    """aria-current="page" when the request path is (or starts with) `prefix`."""
    request = context.get("request")
    path = getattr(request, "path", "")
    if (path == prefix) if exact else path.startswith(prefix):
        return mark_safe('aria-current="page"')
    return ""
