"""The unsubscribe page behind every email's List-Unsubscribe link (no sign-in needed: the link is signed).

GET only shows a confirmation (link scanners and previews must not unsubscribe anyone); POST turns
notification emails off — including the RFC 8058 one-click POST mail providers send
(body `List-Unsubscribe=One-Click`), which carries no CSRF token, hence csrf_exempt: the signed
token is the authority.
"""

from __future__ import annotations

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from alveole.accounts.models import User

from . import actions
from .addresses import read_unsubscribe_token
from .outbound import SETTINGS_PATH


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        person = User.objects.get(pk=read_unsubscribe_token(token), is_active=True)
    except (signing.BadSignature, User.DoesNotExist):
        return render(
            request,
            "errors/400.html",
            {"message": _("This unsubscribe link is not valid. Change your emails in your notification settings.")},
            status=400,
        )
    done = request.method == "POST"
    if done:
        actions.unsubscribe(person)
    response = render(
        request, "mail/unsubscribe.html", {"person": person, "done": done, "settings_path": SETTINGS_PATH}
    )
    response["Cache-Control"] = "no-store"
    return response
