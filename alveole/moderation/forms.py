from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alveole.feed.actions import REFUSAL_REASON_MAX
from alveole.spaces.models import Contributors, HeldFor

from .actions import NOTE_MAX
from .models import Reason


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why are you reporting this?"), choices=Reason.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Anything the moderators should know"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it refused? Its author will read this."),
        max_length=REFUSAL_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SpaceModerationForm(forms.Form):
    posters = forms.ChoiceField(label=_("Who may post"), choices=Contributors.choices, widget=forms.RadioSelect)
    commenters = forms.ChoiceField(label=_("Who may comment"), choices=Contributors.choices, widget=forms.RadioSelect)
    hold_posts = forms.ChoiceField(
        label=_("Whose posts wait for a manager's validation"), choices=HeldFor.choices, widget=forms.RadioSelect
    )
    hold_comments = forms.ChoiceField(
        label=_("Whose comments wait for a manager's validation"), choices=HeldFor.choices, widget=forms.RadioSelect
    )


KINDS = (("", _("Everything")), ("held", _("Waiting for validation")), ("reports", _("Reports")))
STATES = (("", _("To decide")), ("settled", _("Settled")))


class QueueFilterForm(forms.Form):
    space = forms.TypedChoiceField(label=_("Space"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("Show"), choices=KINDS, required=False)
    state = forms.ChoiceField(label=_("State"), choices=STATES, required=False)

    def __init__(self, *args: Any, spaces: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["space"].choices = [("", _("Every space I moderate")), *spaces]  # type: ignore[attr-defined]
