"""Home page, error pages, and the helpers every web view uses to map domain errors."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from alveole.accounts.access import viewer_of
from alveole.core.errors import AlveoleError, NotAuthenticated

V = TypeVar("V", bound=Callable[..., HttpResponse])

ERROR_TEMPLATES = {403: "errors/403.html", 404: "errors/404.html"}


def render_error(request: HttpRequest, exc: AlveoleError) -> HttpResponse:
    """A full page that says what went wrong, with the domain error's status."""
    template = ERROR_TEMPLATES.get(exc.status, "errors/400.html")
    response = render(request, template, {"message": exc.message, "status": exc.status}, status=exc.status)
    retry_after = getattr(exc, "retry_after", None)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def apply_error(form: forms.Form, exc: AlveoleError, *, field_map: dict[str, str] | None = None) -> int:
    """Put a domain error onto a form (field errors + a summary sentence) and return the HTTP status."""
    field_map = field_map or {}
    for name, message in exc.fields.items():
        target = field_map.get(name, name)
        form.add_error(target if target in form.fields else None, message)
    form.add_error(None, exc.message)
    return exc.status


def web_view(view: V) -> V:
    """Signed-in pages: anonymous visitors go to sign-in; uncaught domain errors become friendly pages."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            viewer_of(request)
        except NotAuthenticated:
            return redirect_to_login(request.get_full_path())
        try:
            return view(request, *args, **kwargs)
        except AlveoleError as exc:
            return render_error(request, exc)

    return wrapper  # type: ignore[return-value]


def invalid_form_status(form: forms.Form) -> int:
    """Status for a form that failed Django's own validation."""
    if not form.non_field_errors() and form.errors:
        form.add_error(None, _("Some fields need your attention."))
    return 400


@login_required
@web_view
def home(request: HttpRequest) -> HttpResponse:
    from alveole.feed import selectors as feed_selectors
    from alveole.feed import views as feed_views
    from alveole.feed.forms import PostForm
    from alveole.orgs.access import invitations_for
    from alveole.orgs.selectors import audit_events_for
    from alveole.spaces.selectors import spaces_for

    viewer = viewer_of(request)
    feed_filter = request.GET.get("filter") or "all"
    context = feed_views.feed_context(request, viewer, feed_selectors.home_posts(viewer, filter=feed_filter))
    if feed_views.wants_fragment(request):
        return render(request, "feed/_page.html", context)
    my_spaces = list(spaces_for(viewer, mine=True, archived=False).order_by(F("my_starred").desc(), "name", "id")[:50])
    steps: list[dict[str, Any]] = []
    if viewer.is_org_admin:
        from django.urls import reverse

        steps = [
            {
                "label": _("Name your organisation"),
                "help": _("This name appears on every page and in invitations."),
                "url": reverse("org_settings"),
                "done": audit_events_for(viewer).filter(action="org.update").exists(),
            },
            {
                "label": _("Create a space"),
                "help": _("A space is where a team or a project talks, plans and decides."),
                "url": reverse("space_create"),
                "done": spaces_for(viewer).exists(),
            },
            {
                "label": _("Invite colleagues"),
                "help": _("Paste their email addresses; each person gets a link to join."),
                "url": reverse("org_invitations"),
                "done": invitations_for(viewer).exists(),
            },
        ]
    context.update(
        {
            "my_spaces": my_spaces,
            "steps": steps,
            "steps_left": sum(1 for s in steps if not s["done"]),
            "feed_filter": feed_filter,
            "form": PostForm(spaces=my_spaces, followers=not viewer.is_guest),
            "can_announce": viewer.is_org_admin or any(getattr(s, "my_role", None) == "manager" for s in my_spaces),
        }
    )
    return render(request, "core/home.html", context)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception is not None and str(exception) else ""
    return render(request, "errors/403.html", {"message": message}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors that touch the database: the database may be the problem.
    from django.template import loader

    return HttpResponse(loader.get_template("errors/500.html").render({}), status=500)
