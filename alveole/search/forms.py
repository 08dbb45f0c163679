from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alveole.accounts.models import User
from alveole.spaces.access import visible_spaces
from alveole.spaces.people import people_visible_to

from .models import Kind
from .selectors import Filters


class SearchForm(forms.Form):
    """The search page's box and filters; the spaces and people offered are the viewer's own to see."""

    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    space: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Space"), queryset=None, required=False, empty_label=_("All spaces")
    )
    author: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Author"), queryset=None, required=False, empty_label=_("Anyone")
    )
    type = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("Everything")), *Kind.choices])
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    has_file = forms.BooleanField(label=_("With a file"), required=False)
    confidential = forms.ChoiceField(
        label=_("Confidential spaces"),
        required=False,
        choices=[("", _("Included")), ("only", _("Only these")), ("exclude", _("Left out"))],
    )

    def __init__(self, *args: Any, viewer: User, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["space"].queryset = visible_spaces(viewer).order_by("name", "pk")  # type: ignore[attr-defined]
        self.fields["author"].queryset = people_visible_to(viewer).order_by("full_name", "pk")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date comes before the start date."))
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            space=data.get("space"),
            author=data.get("author"),
            kind=data.get("type") or "",
            since=data.get("since"),
            until=data.get("until"),
            has_file=bool(data.get("has_file")),
            confidential=data.get("confidential") or "",
        )
