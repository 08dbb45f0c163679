"""Profile and personal access token pages."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alveole.core.errors import AlveoleError
from alveole.web.shortcuts import apply_error, invalid_form_status, web_view

from . import actions
from .access import get_token_for, tokens_of, viewer_of
from .forms import ProfileForm, TokenForm


@web_view
def profile(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    status = 200
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                actions.update_profile(viewer, **form.cleaned_data)
            except AlveoleError as exc:
                status = apply_error(form, exc)
            else:
                messages.success(request, _("Your profile is saved."))
                return redirect("profile")
        else:
            status = invalid_form_status(form)
        viewer.refresh_from_db()
    else:
        form = ProfileForm(
            initial={
                "full_name": viewer.full_name,
                "title": viewer.title,
                "language": viewer.language,
                "time_zone": viewer.time_zone,
            }
        )
    return render(request, "accounts/profile.html", {"form": form}, status=status)


def _tokens_page(request: HttpRequest, form: TokenForm, *, secret: str = "", status: int = 200) -> HttpResponse:
    viewer = viewer_of(request)
    context = {"form": form, "tokens": list(tokens_of(viewer)), "secret": secret}
    return render(request, "accounts/tokens.html", context, status=status)


@web_view
def tokens(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    if request.method != "POST":
        return _tokens_page(request, TokenForm())
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _tokens_page(request, form, status=invalid_form_status(form))
    try:
        token, secret = actions.create_token(viewer, name=form.cleaned_data["name"])
    except AlveoleError as exc:
        return _tokens_page(request, form, status=apply_error(form, exc))
    # The secret is shown once, on this response only; it is never stored in clear.
    messages.success(
        request, _("Token “%(name)s” created. Copy it now: it will not be shown again.") % {"name": token.name}
    )
    response = _tokens_page(request, TokenForm(), secret=secret)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@web_view
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    token = get_token_for(viewer, token_id)
    actions.revoke_token(viewer, token=token)
    messages.success(request, _("Token “%(name)s” revoked: it no longer works.") % {"name": token.name})
    return redirect("tokens")
