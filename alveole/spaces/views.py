"""Space pages: the list, creation, a space's page, its members and its settings."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.contrib import messages
from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alveole.accounts.access import viewer_of
from alveole.core.errors import AlveoleError, PermissionDenied
from alveole.web.forms import SearchForm
from alveole.web.shortcuts import act, apply_error, invalid_form_status, web_view

from . import actions
from .access import can_manage, get_space_for
from .forms import AddMemberForm, SpaceForm, SpaceRoleForm, StarForm
from .models import Space, Visibility
from .pages import space_header
from .people import get_person_for, people_visible_to
from .policies import check_may_create_space
from .selectors import members_of, spaces_for


@web_view
def spaces(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    search = SearchForm(request.GET)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    mine = list(
        spaces_for(viewer, query=query, mine=True).order_by("archived_at", F("my_starred").desc(), "name", "id")
    )
    joinable: list[Space] = []
    if not viewer.is_guest:
        joinable = list(
            spaces_for(viewer, query=query, archived=False)
            .filter(Q(my_role__isnull=True), visibility=Visibility.OPEN)
            .order_by("name", "id")[:100]
        )
    context = {
        "search": search,
        "query": query,
        "mine": [s for s in mine if s.archived_at is None],
        "archived": [s for s in mine if s.archived_at is not None],
        "joinable": joinable,
    }
    return render(request, "spaces/list.html", context)


@web_view
def space_create(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    if viewer.is_guest:
        raise PermissionDenied(_("Guests cannot create spaces. Ask a member of the organisation to create one."))
    check_may_create_space(viewer)
    status = 200
    if request.method == "POST":
        form = SpaceForm(request.POST)
        if form.is_valid():
            try:
                space = actions.create_space(viewer, **form.cleaned_data)
            except AlveoleError as exc:
                status = apply_error(form, exc)
            else:
                messages.success(request, _("Space “%(name)s” created. Add people to get started.") % {"name": space})
                return redirect("space_detail", space_id=space.pk)
        else:
            status = invalid_form_status(form)
    else:
        form = SpaceForm()
    return render(request, "spaces/create.html", {"form": form}, status=status)


def _members_page(
    request: HttpRequest,
    space: Space,
    *,
    add_form: AddMemberForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    viewer = viewer_of(request)
    context = space_header(viewer, space, "members")
    memberships = list(members_of(space))
    if context["can_manage"] and not space.is_archived:
        member_ids = [m.user_id for m in memberships]
        candidates = list(people_visible_to(viewer).exclude(pk__in=member_ids).order_by("full_name", "id")[:500])
        if add_form is None:
            add_form = AddMemberForm(candidates=candidates)
        context["candidates"] = candidates
    context.update({"memberships": memberships, "add_form": add_form, "error": error})
    return render(request, "spaces/members.html", context, status=status)


@web_view
def space_members(request: HttpRequest, space_id: int) -> HttpResponse:
    return _members_page(request, get_space_for(viewer_of(request), space_id))


@require_POST
@web_view
def space_member_add(request: HttpRequest, space_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    space = get_space_for(viewer, space_id)
    if not can_manage(viewer, space):
        raise PermissionDenied(actions.MANAGERS_ONLY)
    member_ids = members_of(space).values("user_id")
    candidates = list(people_visible_to(viewer).exclude(pk__in=member_ids))
    form = AddMemberForm(request.POST, candidates=candidates)
    if not form.is_valid():
        return _members_page(request, space, add_form=form, status=invalid_form_status(form))
    try:
        person = get_person_for(viewer, form.cleaned_data["user"])
        actions.add_space_member(viewer, space=space, user=person, role=form.cleaned_data["role"])
    except AlveoleError as exc:
        return _members_page(request, space, add_form=form, status=apply_error(form, exc))
    messages.success(request, _("%(name)s is now a member of this space.") % {"name": person})
    return redirect("space_members", space_id=space.pk)


@require_POST
@web_view
def space_member_role(request: HttpRequest, space_id: int, user_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    space = get_space_for(viewer, space_id)
    person = get_person_for(viewer, user_id, include_inactive=True)
    form = SpaceRoleForm(request.POST)
    if not form.is_valid():
        return _members_page(request, space, error=_("Choose “manager” or “member”."), status=400)
    try:
        actions.set_space_member_role(viewer, space=space, user=person, role=form.cleaned_data["role"])
    except AlveoleError as exc:
        return _members_page(request, space, error=exc.fields.get("role") or exc.message, status=exc.status)
    messages.success(request, _("%(name)s's role is updated.") % {"name": person})
    return redirect("space_members", space_id=space.pk)


@require_POST
@web_view
def space_member_remove(request: HttpRequest, space_id: int, user_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    space = get_space_for(viewer, space_id)
    person = get_person_for(viewer, user_id, include_inactive=True)
    try:
        actions.remove_space_member(viewer, space=space, user=person)
    except AlveoleError as exc:
        return _members_page(request, space, error=exc.message, status=exc.status)
    messages.success(request, _("%(name)s was removed from this space.") % {"name": person})
    return redirect("space_members", space_id=space.pk)


# --- settings -----------------------------------------------------------------------------


def _settings_page(
    request: HttpRequest, space: Space, form: SpaceForm | None = None, *, error: str = "", status: int = 200
) -> HttpResponse:
    viewer = viewer_of(request)
    context = space_header(viewer, space, "settings")
    if not context["can_manage"]:
        raise PermissionDenied(actions.MANAGERS_ONLY)
    if form is None:
        form = SpaceForm(
            initial={
                "name": space.name,
                "description": space.description,
                "kind": space.kind,
                "visibility": space.visibility,
            }
        )
    if space.is_archived:
        for field in form.fields.values():
            field.disabled = True
    context.update({"form": form, "error": error})
    return render(request, "spaces/settings.html", context, status=status)


@web_view
def space_settings(request: HttpRequest, space_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    space = get_space_for(viewer, space_id)
    if request.method != "POST":
        return _settings_page(request, space)
    if not can_manage(viewer, space):
        raise PermissionDenied(actions.MANAGERS_ONLY)
    form = SpaceForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, space, form, status=invalid_form_status(form))
    try:
        actions.update_space(viewer, space=space, **form.cleaned_data)
    except AlveoleError as exc:
        space.refresh_from_db()
        return _settings_page(request, space, form, status=apply_error(form, exc))
    messages.success(request, _("Space settings saved."))
    return redirect("space_settings", space_id=space.pk)


def _on_space(
    request: HttpRequest, space_id: int, action: Callable[..., object], done: str, then: str = ""
) -> HttpResponse:
    """A button on a space's page: `done` names the space as %(name)s; back to the space unless `then`."""
    viewer = viewer_of(request)
    space = get_space_for(viewer, space_id)
    return act(
        request,
        lambda: action(viewer, space=space),
        done=done % {"name": space},
        then=then or reverse("space_detail", args=[space.pk]),
    )


@require_POST
@web_view
def space_archive(request: HttpRequest, space_id: int) -> HttpResponse:
    done = _("“%(name)s” is archived: it stays readable, and nobody can change it.")
    return _on_space(request, space_id, actions.archive_space, done)


@require_POST
@web_view
def space_unarchive(request: HttpRequest, space_id: int) -> HttpResponse:
    return _on_space(request, space_id, actions.unarchive_space, _("“%(name)s” is restored."))


# --- join, leave, star ----------------------------------------------------------------------


@require_POST
@web_view
def space_join(request: HttpRequest, space_id: int) -> HttpResponse:
    return _on_space(request, space_id, actions.join_space, _("You joined “%(name)s”."))


@require_POST
@web_view
def space_leave(request: HttpRequest, space_id: int) -> HttpResponse:
    return _on_space(request, space_id, actions.leave_space, _("You left “%(name)s”."), then=reverse("spaces"))


@require_POST
@web_view
def space_star(request: HttpRequest, space_id: int) -> HttpResponse:
    form = StarForm(request.POST)
    starred = form.is_valid() and form.cleaned_data["starred"]
    if starred:
        done = _("“%(name)s” is starred: it comes first in your spaces.")
    else:
        done = _("“%(name)s” is no longer starred.")
    return _on_space(request, space_id, partial(actions.star_space, starred=starred), done)
