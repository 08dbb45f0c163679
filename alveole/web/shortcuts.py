"""What every web view does the same way: map domain errors onto pages and forms, guard signed-in pages,
redirect only to this site, and the "call the action, say it worked, go back" shape."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from alveole.core.errors import AlveoleError

V = TypeVar("V", bound=Callable[..., HttpResponse])
T = TypeVar("T")

ERROR_TEMPLATES = {403: "errors/403.html", 404: "errors/404.html"}


def render_error(request: HttpRequest, exc: AlveoleError) -> HttpResponse:
    """A full page that says what went wrong, with the domain error's status."""
    template = ERROR_TEMPLATES.get(exc.status, "errors/400.html")
    response = render(request, template, {"message": exc.message, "status": exc.status}, status=exc.status)
    return with_retry_after(response, exc)


def with_retry_after(response: HttpResponse, exc: AlveoleError) -> HttpResponse:
    """A page that answers a rate-limited refusal says when to try again, as the error does."""
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
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
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


def safe_next(request: HttpRequest, default: str = "") -> str:
    """The `next` address a form or link asked to come back to, only when it stays on this site."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return default


def ticked(request: HttpRequest, form_class: type[forms.Form], name: str) -> bool:
    """A form of one checkbox (pin, follow, mute, star): whether `name` was ticked; absent means no."""
    form = form_class(request.POST)
    return form.is_valid() and bool(form.cleaned_data.get(name))


def act(
    request: HttpRequest,
    action: Callable[[], object],
    *,
    done: str,
    then: str,
    refused: Callable[[AlveoleError], HttpResponse] | None = None,
) -> HttpResponse:
    """The shape of a button's view: call the action, say it worked, go back to `then` (or to a safe
    `next`). A refusal is rendered by `refused`, by default as an error page with the error's status."""
    try:
        action()
    except AlveoleError as exc:
        return refused(exc) if refused is not None else render_error(request, exc)
    if done:
        messages.success(request, done)
    return redirect(safe_next(request, then))


def submit(
    request: HttpRequest,
    form: forms.Form,
    action: Callable[[dict[str, Any]], T],
    *,
    done: str | Callable[[T], str],
    then: Callable[[T], str],
    page: Callable[[int], HttpResponse],
    warning: Callable[[T], str] | None = None,
    field_map: dict[str, str] | None = None,
) -> HttpResponse:
    """The shape of a form's page: shown on GET; on POST a valid form calls the action with its cleaned
    data, says `done` (or `done(result)`, and `warning(result)` when the action reports one) and goes to
    `then(result)`; a form or domain error shows `page` again with the errors on the form (a domain
    error's fields renamed by `field_map`) and the matching status."""
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            status = invalid_form_status(form)
        else:
            try:
                result = action(form.cleaned_data)
            except AlveoleError as exc:
                status = apply_error(form, exc, field_map=field_map)
            else:
                messages.success(request, done(result) if callable(done) else done)
                if warning is not None and (said := warning(result)):
                    messages.warning(request, said)
                return redirect(then(result))
    return page(status)
