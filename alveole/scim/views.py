"""The owners' provisioning page, /admin/settings/scim/: the SCIM base URL, tokens (created, shown once,
revoked). The rules are scim.access's and scim.actions'; this page only parses and shows."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from alveole.accounts.access import viewer_of
from alveole.core.errors import AlveoleError
from alveole.web.shortcuts import act, apply_error, invalid_form_status, web_view

from . import actions
from .access import get_scim_token_for, require_owner, scim_tokens_of
from .api import scim_base_url


class ScimTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Token name"),
        max_length=actions.NAME_MAX,
        help_text=gettext_lazy("The identity provider that will use it, such as “Entra ID”."),
    )


def _page(request: HttpRequest, form: ScimTokenForm, *, secret: str = "", status: int = 200) -> HttpResponse:
    viewer = viewer_of(request)
    context = {
        "form": form,
        "tokens": list(scim_tokens_of(viewer)),
        "secret": secret,
        "base_url": scim_base_url(),
        "admin_tab": "settings",
    }
    response = render(request, "scim/settings.html", context, status=status)
    if secret:
        response["Cache-Control"] = "no-store"
    return response


@web_view
def scim_settings(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    require_owner(viewer)
    if request.method != "POST":
        return _page(request, ScimTokenForm())
    form = ScimTokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=invalid_form_status(form))
    try:
        token, secret = actions.create_scim_token(viewer, name=form.cleaned_data["name"])
    except AlveoleError as exc:
        return _page(request, form, status=apply_error(form, exc))
    # The secret is shown once, on this response only; it is never stored in clear.
    messages.success(
        request, _("Token “%(name)s” created. Copy it now: it will not be shown again.") % {"name": token.name}
    )
    return _page(request, ScimTokenForm(), secret=secret)


@require_POST
@web_view
def scim_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    token = get_scim_token_for(viewer, token_id)
    done = _("Token “%(name)s” revoked: provisioning with it stops now.") % {"name": token.name}
    return act(
        request, lambda: actions.revoke_scim_token(viewer, token=token), done=done, then=reverse("scim_settings")
    )
