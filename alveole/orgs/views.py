"""People directory, organisation admin pages, and accepting an invitation."""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from alveole.accounts.access import viewer_of
from alveole.accounts.identity import JOINING_KEY, identity_of, sign_in_account, switch_to
from alveole.accounts.models import Role, User
from alveole.core.audit import labels as audit_labels
from alveole.core.cursors import paginate
from alveole.core.errors import AlveoleError, Conflict, Invalid
from alveole.core.models import AuditEvent
from alveole.spaces.access import visible_spaces
from alveole.spaces.people import get_person_for
from alveole.web.forms import SearchForm
from alveole.web.shortcuts import (
    act,
    apply_error,
    invalid_form_status,
    render_error,
    submit,
    web_view,
    with_retry_after,
)

from . import actions, audit_export
from .access import get_invitation_for, invitations_for, require_org_admin
from .forms import AuditFilterForm, InvitationAcceptForm, InvitationForm, OrganisationForm, RoleForm
from .models import Invitation
from .selectors import audit_events_for, audit_filter_choices, filter_audit, search_people

PAGE_SIZE = 50


def _search_query(request: HttpRequest) -> tuple[SearchForm, str]:
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    return form, query


# --- people -------------------------------------------------------------------------


@web_view
def people(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    search, query = _search_query(request)
    rows, next_cursor = paginate(
        search_people(viewer, query=query), order=("full_name", "id"), cursor=request.GET.get("cursor"), limit=PAGE_SIZE
    )
    context = {"search": search, "query": query, "people": rows, "next_cursor": next_cursor}
    return render(request, "orgs/people.html", context)


# --- admin: members -------------------------------------------------------------------


def _members_page(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    viewer = viewer_of(request)
    require_org_admin(viewer)
    search, query = _search_query(request)
    members = list(search_people(viewer, query=query, include_inactive=True).order_by("-is_active", "full_name", "id"))
    roles = Role.choices if viewer.is_owner else [c for c in Role.choices if c[0] != Role.OWNER]
    context = {
        "search": search,
        "query": query,
        "members": members,
        "roles": roles,
        "error": error,
        "admin_tab": "members",
    }
    return render(request, "orgs/admin_members.html", context, status=status)


@web_view
def org_admin(request: HttpRequest) -> HttpResponse:
    return _members_page(request)


@require_POST
@web_view
def org_member_role(request: HttpRequest, user_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    require_org_admin(viewer)
    member = get_person_for(viewer, user_id, include_inactive=True)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _members_page(request, error=_("Choose one of: owner, admin, member, guest."), status=400)
    role = form.cleaned_data["role"]
    # The role asked for: the sentence is written before the action changes `member`.
    done = _("%(name)s is now %(role)s.") % {"name": member, "role": Role(role).label.lower()}
    return act(request, lambda: actions.change_role(viewer, member=member, role=role), done=done,
               then=reverse("org_admin"), refused=partial(_members_refused, request, field="role"))  # fmt: skip


def _member_switch(request: HttpRequest, user_id: int, *, activate: bool) -> HttpResponse:
    viewer = viewer_of(request)
    require_org_admin(viewer)
    member = get_person_for(viewer, user_id, include_inactive=True)
    if activate:
        action, done = actions.reactivate_member, _("%(name)s can sign in again.")
    else:
        action, done = actions.deactivate_member, _("%(name)s is deactivated: signed out everywhere, tokens revoked.")
    return act(request, lambda: action(viewer, member=member), done=done % {"name": member},
               then=reverse("org_admin"), refused=partial(_members_refused, request))  # fmt: skip


def _members_refused(request: HttpRequest, exc: AlveoleError, *, field: str = "") -> HttpResponse:
    """The members page again, saying why (the error on `field` when it names one)."""
    return _members_page(request, error=exc.fields.get(field) or exc.message, status=exc.status)


@require_POST
@web_view
def org_member_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    return _member_switch(request, user_id, activate=False)


@require_POST
@web_view
def org_member_reactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    return _member_switch(request, user_id, activate=True)


# --- admin: invitations ---------------------------------------------------------------


def _invitation_form(request: HttpRequest, data: object = None) -> InvitationForm:
    viewer = viewer_of(request)
    spaces = visible_spaces(viewer).filter(archived_at__isnull=True).order_by("name", "id")
    return InvitationForm(data, spaces=spaces, can_make_owner=viewer.is_owner)


def _invitations_page(
    request: HttpRequest, form: InvitationForm, *, created: list | None = None, error: str = "", status: int = 200
) -> HttpResponse:
    viewer = viewer_of(request)
    invitations = list(invitations_for(viewer).prefetch_related("spaces")[:200])
    context = {
        "form": form,
        "invitations": invitations,
        "created": created or [],
        "error": error,
        "admin_tab": "invitations",
    }
    response = render(request, "orgs/admin_invitations.html", context, status=status)
    if created:
        response["Cache-Control"] = "no-store"
    return response


@web_view
def org_invitations(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    require_org_admin(viewer)
    if request.method != "POST":
        return _invitations_page(request, _invitation_form(request))
    form = _invitation_form(request, request.POST)
    if not form.is_valid():
        return _invitations_page(request, form, status=invalid_form_status(form))
    created: list[tuple[str, str]] = []
    email = ""
    try:
        # All or nothing: one refused address means nobody is invited (and no email leaves).
        with transaction.atomic():
            for email in form.cleaned_data["emails"]:
                invitation, link = actions.invite_member(
                    viewer, email=email, role=form.cleaned_data["role"], spaces=form.cleaned_data["spaces"]
                )
                created.append((invitation.email, link))
    except AlveoleError as exc:
        if "email" in exc.fields or isinstance(exc, Conflict):
            # Say which address was refused; the others were not invited either.
            problem = exc.fields.get("email") or exc.message
            form.add_error("emails", _("%(email)s: %(problem)s") % {"email": email, "problem": problem})
            form.add_error(None, _("Nobody was invited. Remove or fix %(email)s and send again.") % {"email": email})
            return _invitations_page(request, form, status=exc.status)
        return _invitations_page(request, form, status=apply_error(form, exc))
    messages.success(
        request,
        ngettext(
            "%(count)d invitation sent. The link is shown below once: you can also copy it and send it yourself.",
            "%(count)d invitations sent. The links are shown below once: "
            "you can also copy them and send them yourself.",
            len(created),
        )
        % {"count": len(created)},
    )
    return _invitations_page(request, _invitation_form(request), created=created)


@require_POST
@web_view
def org_invitation_resend(request: HttpRequest, invitation_id: int) -> HttpResponse:
    viewer, invitation = _invitation_for_admin(request, invitation_id)
    try:
        invitation, link = actions.resend_invitation(viewer, invitation=invitation)
    except AlveoleError as exc:
        return with_retry_after(_invitations_refused(request, exc), exc)
    messages.success(
        request,
        ngettext(
            "The invitation for %(email)s was sent again and is valid for %(days)d day. "
            "The previous link no longer works.",
            "The invitation for %(email)s was sent again and is valid for %(days)d days. "
            "The previous link no longer works.",
            settings.ALVEOLE_INVITATION_DAYS,
        )
        % {"email": invitation.email, "days": settings.ALVEOLE_INVITATION_DAYS},
    )
    # Rendered, not redirected: the new link is shown this once, like a new invitation's.
    return _invitations_page(request, _invitation_form(request), created=[(invitation.email, link)])


@require_POST
@web_view
def org_invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    viewer, invitation = _invitation_for_admin(request, invitation_id)
    done = _("The invitation for %(email)s is revoked; its link no longer works.") % {"email": invitation.email}
    return act(request, lambda: actions.revoke_invitation(viewer, invitation=invitation), done=done,
               then=reverse("org_invitations"), refused=partial(_invitations_refused, request))  # fmt: skip


def _invitation_for_admin(request: HttpRequest, invitation_id: int) -> tuple[User, Invitation]:
    viewer = viewer_of(request)
    require_org_admin(viewer)
    return viewer, get_invitation_for(viewer, invitation_id)


def _invitations_refused(request: HttpRequest, exc: AlveoleError) -> HttpResponse:
    return _invitations_page(request, _invitation_form(request), error=exc.message, status=exc.status)


# --- admin: audit, settings -----------------------------------------------------------


def _audit_filter(request: HttpRequest) -> tuple[AuditFilterForm, QuerySet[AuditEvent] | None, dict[str, str]]:
    """The audit filter form from the query string, the rows it selects (None when a filter is
    wrong), and every action's label."""
    viewer = viewer_of(request)
    rows = audit_events_for(viewer)
    people, spaces = audit_filter_choices(viewer)
    known = {action: str(label) for action, label in audit_labels().items()}
    choices = sorted(known.items(), key=lambda item: (item[1].lower(), item[0]))
    form = AuditFilterForm(request.GET, people=people, actions=choices, spaces=spaces)
    if not form.is_valid():
        return form, None, known
    return form, filter_audit(rows, **form.cleaned_data), known


@web_view
def org_audit(request: HttpRequest) -> HttpResponse:
    form, filtered, known = _audit_filter(request)
    if filtered is None:
        context = {"events": [], "admin_tab": "audit", "form": form, "filtered": True}
        return render(request, "orgs/admin_audit.html", context, status=invalid_form_status(form))
    rows, next_cursor = paginate(filtered, order=("-id",), cursor=request.GET.get("cursor"), limit=PAGE_SIZE)
    events = [{"event": e, "label": known.get(e.action, _("did something"))} for e in rows]
    query = request.GET.copy()
    query.pop("cursor", None)
    context = {
        "events": events,
        "next_cursor": next_cursor,
        "admin_tab": "audit",
        "form": form,
        "filters": query.urlencode(),
        "filtered": any(value not in (None, "") for value in form.cleaned_data.values()),
    }
    return render(request, "orgs/admin_audit.html", context)


@web_view  # type: ignore[type-var]  # its bound is HttpResponse; a streamed file is the one exception
def org_audit_download(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """The filtered audit rows as a file; a spreadsheet opens the CSV."""
    form, filtered, known = _audit_filter(request)
    if filtered is None:
        raise Invalid(fields={name: " ".join(str(e) for e in errors) for name, errors in form.errors.items()})
    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        response = StreamingHttpResponse(
            audit_export.csv_lines(filtered, known), content_type="text/csv; charset=utf-8"
        )
    else:
        response = StreamingHttpResponse(audit_export.json_chunks(filtered, known), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.{fmt}"'
    return response


POLICY_FIELDS = (
    "space_creators",
    "guest_adders",
    "guests_may_post",
    "upload_families",
    "upload_max_mb",
    "edit_window_minutes",
    "confidential_space_creators",
    "confidential_downloads",
)


@web_view
def org_settings(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    require_org_admin(viewer)
    org = viewer.org
    server_max_mb = settings.ALVEOLE_UPLOAD_MAX_BYTES // 1024 // 1024
    initial = {
        "name": org.name,
        "require_mfa_for_admins": org.require_mfa_for_admins,
        "export_includes_conversations": org.export_includes_conversations,
    }
    initial.update({field: getattr(org, field) for field in POLICY_FIELDS})
    data = request.POST if request.method == "POST" else None
    form = OrganisationForm(data, is_owner=viewer.is_owner, server_max_mb=server_max_mb, initial=initial)
    return submit(
        request,
        form,
        lambda data: actions.update_organisation(
            viewer,
            name=data["name"],
            require_mfa_for_admins=data["require_mfa_for_admins"] if viewer.is_owner else None,
            # A disabled field keeps its initial value: only an owner's form changes it.
            export_includes_conversations=(
                data["export_includes_conversations"] if viewer.is_owner and "policies" in request.POST else None
            ),
            # Only a form that showed the policies changes them (unticked boxes send nothing).
            **({f: data[f] for f in POLICY_FIELDS} if "policies" in request.POST else {}),
        ),
        done=_("Organisation settings saved."),
        then=lambda _org: reverse("org_settings"),
        page=lambda status: render(
            request, "orgs/admin_settings.html", {"form": form, "admin_tab": "settings"}, status=status
        ),
    )


# --- joining through an invitation ---------------------------------------------------


@never_cache
def invitation_accept(request: HttpRequest, key: str) -> HttpResponse:
    try:
        invitation = actions.pending_invitation(key)
    except AlveoleError as exc:
        if request.user.is_authenticated:
            return render(request, "orgs/invitation_signed_in.html")
        return render(request, "orgs/invitation_invalid.html", {"message": exc.message}, status=exc.status)
    identity = getattr(request, "identity", None)
    if isinstance(identity, User):
        return _accept_as_signed_in(request, key, invitation, identity)
    if actions.needs_sign_in(invitation):
        # The address already signs in: the person proves it (password, two-factor) and comes back here.
        # Remembered so that someone deactivated everywhere may still sign in to accept (identity.py).
        request.session[JOINING_KEY] = invitation.email.lower()
        return render(request, "orgs/invitation_sign_in.html", {"invitation": invitation})
    status = 200
    if request.method == "POST":
        form = InvitationAcceptForm(request.POST)
        if form.is_valid():
            try:
                user = actions.accept_invitation(
                    secret=key, full_name=form.cleaned_data["full_name"], password=form.cleaned_data["password"]
                )
            except AlveoleError as exc:
                if not exc.fields and exc.status in (404, 409):
                    return render_error(request, exc)
                status = apply_error(form, exc)
            else:
                # People sign in as their identity; the new account is the one opened.
                login(request, identity_of(user), backend="allauth.account.auth_backends.AuthenticationBackend")
                sign_in_account(request, user)
                return _welcome(request, invitation)
        else:
            status = invalid_form_status(form)
    else:
        form = InvitationAcceptForm()
    return render(request, "orgs/invitation_accept.html", {"form": form, "invitation": invitation}, status=status)


def _welcome(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    messages.success(request, _("Welcome to %(org)s! Your spaces are on the left.") % {"org": invitation.organisation})
    return redirect("home")


def _accept_as_signed_in(request: HttpRequest, key: str, invitation: Invitation, identity: User) -> HttpResponse:
    """The signed-in person joins with the identity they are signed in as, when the address is theirs."""
    mine = identity.organisation_id is None and (identity.login_email or "").lower() == invitation.email.lower()
    if not mine or getattr(request, "account_bound", False):
        return render(request, "orgs/invitation_signed_in.html", {"signed_in_as": identity.login_email or ""})
    if request.method != "POST":
        return render(request, "orgs/invitation_join.html", {"invitation": invitation})
    try:
        account = actions.accept_invitation_as(identity, key)
    except AlveoleError as exc:
        return render_error(request, exc)
    request.session.pop(JOINING_KEY, None)
    switch_to(request, account)
    return _welcome(request, invitation)
