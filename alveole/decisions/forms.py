from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from alveole.core.bounds import validate_user_date

from .models import Answer


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class PollForm(forms.Form):
    question = forms.CharField(label=_("Question"), max_length=500)
    options = forms.CharField(
        label=_("Options"),
        help_text=_("One per line, 2 to 10."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    closes_at = forms.DateTimeField(label=_("Closes at"), widget=DateTimeLocalInput())
    multiple = forms.BooleanField(label=_("People may choose several options"), required=False)
    hide_results_until_closed = forms.BooleanField(label=_("Hide the results until the poll closes"), required=False)
    anonymous = forms.BooleanField(
        label=_("Anonymous"),
        required=False,
        help_text=_(
            "Nobody, you included, will see who chose what. Anonymous votes are final: they cannot be changed."
        ),
    )

    def option_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["options"].splitlines() if line.strip()]


class ProposalForm(forms.Form):
    statement = forms.CharField(label=_("Proposal"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    closes_at = forms.DateTimeField(label=_("Closes at"), widget=DateTimeLocalInput())
    quorum = forms.IntegerField(
        label=_("Quorum (%)"),
        required=False,
        min_value=0,
        max_value=100,
        help_text=_("The share of the space's members who must answer for the decision to count."),
    )


class RespondForm(forms.Form):
    answer = forms.ChoiceField(label=_("Your answer"), choices=Answer.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to block."),
    )


class OutcomeForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was decided, in a sentence or two. It goes to the decision log."),
    )


class DecisionFilterForm(forms.Form):
    space = forms.TypedChoiceField(label=_("Space"), required=False, coerce=int, empty_value=None)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}), validators=[validate_user_date]
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}), validators=[validate_user_date]
    )

    def __init__(self, *args: object, spaces: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["space"].choices = [("", _("All spaces")), *spaces]  # type: ignore[attr-defined]
