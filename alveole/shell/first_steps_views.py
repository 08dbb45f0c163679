"""The button under the home page's first steps."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alveole.accounts.access import viewer_of
from alveole.notifications.actions import dismiss_first_steps
from alveole.web.shortcuts import act, web_view


@require_POST
@web_view
def first_steps_dismiss(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    return act(
        request, lambda: dismiss_first_steps(viewer), done=_("The first steps are hidden."), then=reverse("home")
    )
