"""A space's managers (or members, as the organisation's guest policy says) invite someone from outside
into that space as its guest. The rule is spaces.policies.guest_invitation_refusal; the space's members
page shows the form to those it allows."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from alveole.accounts.access import viewer_of
from alveole.core.errors import AlveoleError, NotFound, PermissionDenied
from alveole.spaces.access import get_space_for
from alveole.spaces.models import Space
from alveole.spaces.pages import space_header
from alveole.spaces.policies import guest_invitation_refusal
from alveole.web.shortcuts import act, apply_error, invalid_form_status, web_view, with_retry_after

from . import actions
from .access import guest_invitations_in, shown_invitation_link
from .forms import GuestInvitationForm


def _page(
    request: HttpRequest,
    space: Space,
    form: GuestInvitationForm,
    *,
    created: tuple[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = space_header(viewer_of(request), space, "members")
    context.update({"form": form, "created": created})
    return render(request, "orgs/guest_invite.html", context, status=status)


@require_http_methods(["GET", "POST"])
@web_view
def space_guest_invite(request: HttpRequest, space_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    space = get_space_for(viewer, space_id)
    if request.method != "POST":
        refusal = guest_invitation_refusal(viewer, space)
        if refusal:
            raise PermissionDenied(refusal)
        return _page(request, space, GuestInvitationForm())
    form = GuestInvitationForm(request.POST)
    if not form.is_valid():
        return _page(request, space, form, status=invalid_form_status(form))
    try:
        invitation, link = actions.invite_guest(viewer, email=form.cleaned_data["email"], space=space)
    except PermissionDenied:
        raise  # the policy's sentence, on an error page (web_view)
    except AlveoleError as exc:
        return with_retry_after(_page(request, space, form, status=apply_error(form, exc)), exc)
    link = shown_invitation_link(viewer, link)
    done = (
        _("%(email)s is invited to “%(space)s” as a guest. The link is shown below once.")
        if link
        else _("%(email)s is invited to “%(space)s” as a guest: the link is on its way by email.")
    )
    messages.success(request, done % {"email": invitation.email, "space": space.name})
    return _page(request, space, GuestInvitationForm(), created=(invitation.email, link) if link else None)


@require_POST
@web_view
def space_guest_invitation_revoke(request: HttpRequest, space_id: int, invitation_id: int) -> HttpResponse:
    """A pending guest invitation revoked from the space's members page, by whoever may see it there."""
    viewer = viewer_of(request)
    space = get_space_for(viewer, space_id)
    invitation = guest_invitations_in(viewer, space).filter(pk=invitation_id).first()
    if invitation is None:
        raise NotFound()
    done = _("The invitation for %(email)s is revoked; its link no longer works.") % {"email": invitation.email}
    then = reverse("space_members", args=[space.pk])
    return act(request, lambda: actions.revoke_invitation(viewer, invitation=invitation), done=done, then=then)
