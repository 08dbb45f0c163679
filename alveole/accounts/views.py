"""Profile and personal access token pages."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alveole.core.errors import AlveoleError, NotFound, PermissionDenied
from alveole.web.shortcuts import act, apply_error, invalid_form_status, safe_next, submit, web_view

from . import actions
from .access import get_token_for, tokens_of, viewer_of
from .forms import ProfileForm, TokenForm
from .identity import organisations_of, switch_to
from .mfa import session_meets_mfa


@web_view
def profile(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    if request.method == "POST":
        form = ProfileForm(request.POST)
    else:
        fields = ("full_name", "title", "language", "time_zone")
        form = ProfileForm(initial={name: getattr(viewer, name) for name in fields})

    def page(status: int) -> HttpResponse:
        if request.method == "POST":
            viewer.refresh_from_db()  # the page around the refused form shows the profile as it is stored
        return render(request, "accounts/profile.html", {"form": form}, status=status)

    return submit(
        request,
        form,
        lambda data: actions.update_profile(viewer, **data),
        done=_("Your profile is saved."),
        then=lambda _saved: reverse("profile"),
        page=page,
    )


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
    done = _("Token “%(name)s” revoked: it no longer works.") % {"name": token.name}
    return act(request, lambda: actions.revoke_token(viewer, token=token), done=done, then=reverse("tokens"))


@web_view
def organisations(request: HttpRequest) -> HttpResponse:
    """The organisations the signed-in person belongs to, with their role in each (theirs alone)."""
    return render(request, "accounts/organisations.html", {"accounts": organisations_of(request)})


@require_POST
@web_view
def switch(request: HttpRequest, account_id: int) -> HttpResponse:
    """Open another organisation: one of the signed-in person's own active accounts (anything else is a
    404, so an id says nothing), if its organisation's rules allow this session. A new session key."""
    account = next((a for a in organisations_of(request) if a.pk == account_id and a.is_active), None)
    if account is None:
        raise NotFound()
    if not session_meets_mfa(request, account):
        raise PermissionDenied(
            _("%(org)s requires two-factor authentication for admins: sign out, then sign in again with your code.")
            % {"org": account.organisation}
        )
    switch_to(request, account)
    messages.success(request, _("You are now in %(org)s.") % {"org": account.organisation})
    # Home, not the page the person was on (its ids belong to the other organisation), unless the form
    # names a page of this site to open (the notification settings of the organisation an email came from).
    return redirect(safe_next(request, reverse("home")))
