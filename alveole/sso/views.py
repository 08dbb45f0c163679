"""Single sign-on pages: the owners' settings page, and the start of a sign-in by email domain."""

from __future__ import annotations

from allauth.socialaccount.providers.base.constants import AuthProcess
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alveole.accounts.access import viewer_of
from alveole.accounts.models import User
from alveole.core import ratelimit
from alveole.core.context import client_ip_of
from alveole.core.errors import PermissionDenied
from alveole.core.middleware import CONTENT_SECURITY_POLICY
from alveole.web.shortcuts import act, invalid_form_status, submit, web_view

from . import actions
from .forms import ProviderForm, StartForm, initial_of
from .models import IdentityProvider
from .selectors import provider_of, providers_for_email
from .urls_of import provider_urls

START_LIMIT, START_WINDOW = 30, 600  # sign-in starts per client IP in ten minutes


def _require_owner(viewer: User) -> None:
    if not viewer.is_owner:
        raise PermissionDenied(_("Only the organisation's owners can set up single sign-on."))


@web_view
def sso_settings(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    _require_owner(viewer)
    current = provider_of(viewer)
    form = ProviderForm(request.POST if request.method == "POST" else None, initial=initial_of(current))

    def page(status: int) -> HttpResponse:
        context = {
            "form": form,
            "provider": current,
            "urls": provider_urls(request, current) if current is not None else {},
            "admin_tab": "settings",
        }
        return render(request, "sso/settings.html", context, status=status)

    return submit(
        request,
        form,
        lambda _data: actions.configure_provider(viewer, data=form.settings()),
        done=_("Single sign-on saved. Copy the addresses below into your identity provider."),
        then=lambda _idp: reverse("sso_settings"),
        page=page,
    )


@web_view
@require_POST
def sso_remove(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    return act(
        request,
        lambda: actions.remove_provider(viewer),
        done=_("Single sign-on removed."),
        then=reverse("sso_settings"),
    )


def _redirect_to(request: HttpRequest, idp: IdentityProvider) -> HttpResponse:
    provider = idp.social_app.get_provider(request)
    return provider.redirect(request, process=AuthProcess.LOGIN, next_url=None)


def sso_start(request: HttpRequest) -> HttpResponse:
    """GET: ask for the work address. POST: go to the provider of the organisation that accepts its domain (a choice
    when several do)."""
    form = StartForm(request.POST if request.method == "POST" else None)
    status, choices = 200, []
    if request.method == "POST":
        # Which domains sign in with single sign-on is not secret, but it is not to be listed by a script either.
        ip = client_ip_of(request) or "unknown"
        ratelimit.add_hit("sso:start", ip, window=START_WINDOW)
        wait = ratelimit.retry_after("sso:start", ip, limit=START_LIMIT, window=START_WINDOW)
        if wait is not None:
            message = _("Too many attempts. Try again in %(minutes)d minutes.") % {"minutes": max(1, (wait + 59) // 60)}
            response = render(request, "429.html", {"message": message}, status=429)
            response["Retry-After"] = str(wait)
            return response
        if not form.is_valid():
            status = invalid_form_status(form)
        else:
            found = providers_for_email(form.cleaned_data["email"])
            chosen = request.POST.get("provider", "")
            if chosen:
                found = [idp for idp in found if idp.slug == chosen]
            if len(found) == 1:
                return _redirect_to(request, found[0])
            if not found:
                form.add_error(
                    "email", _("No organisation signs in with single sign-on for this address: use your password.")
                )
                status = 400
            else:
                choices = found
    response = render(request, "sso/start.html", {"form": form, "choices": choices}, status=status)
    # This page's form ends in a redirect to the organisation's provider: a form-action of 'self' would stop it.
    extra = "https: http:" if settings.ALVEOLE_SSO_ALLOW_INSECURE_ISSUERS else "https:"
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", f"form-action 'self' {extra}"
    )
    return response


def password_refused(request: HttpRequest, org_name: str) -> HttpResponse:
    messages.error(
        request,
        _("%(org)s signs in with single sign-on only: use “Sign in with single sign-on”.") % {"org": org_name},
    )
    return redirect("sso_start")
