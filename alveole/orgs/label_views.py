"""The organisation's confidentiality labels page (owners): rename, add, say which are confidential.

The rule and the refusals are spaces.labels' and spaces.actions'; this page only parses and shows.
"""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from alveole.accounts.access import viewer_of
from alveole.accounts.models import User
from alveole.core.errors import PermissionDenied
from alveole.spaces import actions, labels
from alveole.web.shortcuts import submit, web_view


class LabelForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=actions.LABEL_NAME_MAX)
    restricted = forms.BooleanField(
        label=gettext_lazy("Confidential"),
        required=False,
        help_text=gettext_lazy("Never reaches guests, email bodies or calendar feeds; exported by owners only."),
    )


def _require_owner(viewer: User) -> None:
    if not viewer.is_owner:
        raise PermissionDenied(_("Only the organisation's owners can change its confidentiality labels."))


def _page(
    request: HttpRequest, viewer: User, *, new: LabelForm, edited: dict[int, LabelForm], status: int
) -> HttpResponse:
    rows = []
    for label in labels.labels_of(viewer.org_id):
        form = edited.get(label.pk) or LabelForm(
            initial={"name": label.name, "restricted": label.restricted}, prefix=f"label-{label.pk}"
        )
        rows.append({"label": label, "form": form})
    context = {"rows": rows, "new": new, "admin_tab": "settings"}
    return render(request, "orgs/labels.html", context, status=status)


@web_view
def org_labels(request: HttpRequest) -> HttpResponse:
    """GET: the labels, lowest first. POST: add one, ranked above the others."""
    viewer = viewer_of(request)
    _require_owner(viewer)
    form = LabelForm(request.POST if request.method == "POST" else None, prefix="new")
    return submit(
        request,
        form,
        lambda data: actions.create_label(viewer, name=data["name"], restricted=data["restricted"]),
        done=_("Label added."),
        then=lambda _label: reverse("org_labels"),
        page=lambda status: _page(request, viewer, new=form, edited={}, status=status),
    )


@web_view
@require_POST
def org_label_update(request: HttpRequest, label_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    _require_owner(viewer)
    label = labels.get_label_for(viewer, label_id)
    form = LabelForm(request.POST, prefix=f"label-{label.pk}")
    return submit(
        request,
        form,
        lambda data: actions.update_label(viewer, label=label, name=data["name"], restricted=data["restricted"]),
        done=_("Label saved."),
        then=lambda _label: reverse("org_labels"),
        page=lambda status: _page(request, viewer, new=LabelForm(prefix="new"), edited={label.pk: form}, status=status),
    )
