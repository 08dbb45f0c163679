"""Space pages: the list, creation, a space's page, its members and its settings."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alveole.accounts.access import viewer_of
from alveole.accounts.models import User
from alveole.core.errors import AlveoleError, PermissionDenied
from alveole.web.forms import SearchForm
from alveole.web.shortcuts import act, submit, ticked, web_view

from . import actions, labels
from .access import can_manage, get_space_for
from .forms import AddMemberForm, SpaceForm, SpaceRoleForm, StarForm
from .models import Space, Visibility
from .pages import space_header
from .people import get_person_for, people_visible_to
from .policies import (
    check_may_create_space,
    guest_invitation_refusal,
    may_add_guests,
    may_create_confidential_space,
)
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
    # Confidential labels are offered to those the organisation lets create confidential spaces.
    confidential_ok = may_create_confidential_space(viewer)
    org_labels = [lab for lab in labels.labels_of(viewer.org_id) if confidential_ok or not lab.restricted]
    form = SpaceForm(request.POST if request.method == "POST" else None, labels=org_labels)
    return submit(
        request,
        form,
        lambda data: actions.create_space(viewer, **data),
        done=lambda space: _("Space “%(name)s” created. Add people to get started.") % {"name": space},
        then=lambda space: reverse("space_detail", args=[space.pk]),
        page=lambda status: render(request, "spaces/create.html", {"form": form}, status=status),
    )


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
    # Inviting someone new as this space's guest (orgs.guest_invites): offered to whom the policy allows;
    # when only confidentiality stands in the way, the page says so.
    if not space.is_archived and not viewer.is_guest and may_add_guests(viewer, space):
        context["guest_invitation_refusal"] = guest_invitation_refusal(viewer, space)
        context["may_invite_guests"] = not context["guest_invitation_refusal"]
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

    def add(data: dict[str, Any]) -> User:
        person = get_person_for(viewer, data["user"])
        actions.add_space_member(viewer, space=space, user=person, role=data["role"])
        return person

    return submit(
        request,
        form,
        add,
        done=lambda person: _("%(name)s is now a member of this space.") % {"name": person},
        then=lambda _person: reverse("space_members", args=[space.pk]),
        page=lambda status: _members_page(request, space, add_form=form, status=status),
    )


@require_POST
@web_view
def space_member_role(request: HttpRequest, space_id: int, user_id: int) -> HttpResponse:
    viewer, space, person = _member_of(request, space_id, user_id)
    form = SpaceRoleForm(request.POST)
    if not form.is_valid():
        return _members_page(request, space, error=_("Choose “manager” or “member”."), status=400)
    role = form.cleaned_data["role"]
    return act(request, lambda: actions.set_space_member_role(viewer, space=space, user=person, role=role),
               done=_("%(name)s's role is updated.") % {"name": person}, then=reverse("space_members", args=[space.pk]),
               refused=partial(_members_refused, request, space, field="role"))  # fmt: skip


@require_POST
@web_view
def space_member_remove(request: HttpRequest, space_id: int, user_id: int) -> HttpResponse:
    viewer, space, person = _member_of(request, space_id, user_id)
    return act(request, lambda: actions.remove_space_member(viewer, space=space, user=person),
               done=_("%(name)s was removed from this space.") % {"name": person},
               then=reverse("space_members", args=[space.pk]),
               refused=partial(_members_refused, request, space))  # fmt: skip


def _member_of(request: HttpRequest, space_id: int, user_id: int) -> tuple[User, Space, User]:
    """The viewer, the space and one of its people (a former member too) that a members-page button acts on."""
    viewer = viewer_of(request)
    return viewer, get_space_for(viewer, space_id), get_person_for(viewer, user_id, include_inactive=True)


def _members_refused(request: HttpRequest, space: Space, exc: AlveoleError, *, field: str = "") -> HttpResponse:
    """The members page again, saying why (the error on `field` when it names one)."""
    return _members_page(request, space, error=exc.fields.get(field) or exc.message, status=exc.status)


# --- settings -----------------------------------------------------------------------------


def _label_choices(space: Space) -> dict:
    """The settings form's labels, and the guests a confidential label would be refused for."""
    return {"labels": labels.labels_of(space.organisation_id), "guests": labels.guests_of(space)}


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
                "label": space.label_id,
            },
            **_label_choices(space),
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
    form = SpaceForm(request.POST, **_label_choices(space))

    def save(data: dict[str, Any]) -> Space:
        try:
            return actions.update_space(viewer, space=space, **data)
        except AlveoleError:
            space.refresh_from_db()  # the page shows the space as it is, the form as it was sent
            raise

    return submit(
        request,
        form,
        save,
        done=_("Space settings saved."),
        then=lambda _space: reverse("space_settings", args=[space.pk]),
        page=lambda status: _settings_page(request, space, form, status=status),
    )


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
    starred = ticked(request, StarForm, "starred")
    if starred:
        done = _("“%(name)s” is starred: it comes first in your spaces.")
    else:
        done = _("“%(name)s” is no longer starred.")
    return _on_space(request, space_id, partial(actions.star_space, starred=starred), done)
