from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .actions import ASSIGNEES_MAX
from .models import PlanStatus, TaskStatus


class TaskForm(forms.Form):
    assignees_max = ASSIGNEES_MAX  # the people picker stops there too

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=10_000,
        help_text=_("Markdown works here."),
    )  # fmt: skip
    assignees = forms.MultipleChoiceField(label=_("Assignees"), required=False)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(label=_("Status"), choices=TaskStatus.choices, initial=TaskStatus.TODO)

    def __init__(self, *args: object, people: list[tuple[int, str]] = (), **kwargs: object) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["assignees"].choices = [(str(pk), name) for pk, name in people]  # type: ignore[attr-defined]


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=TaskStatus.choices)


class ChecklistForm(forms.Form):
    text = forms.CharField(label=_("New item"), max_length=300)


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))


class PlanForm(forms.Form):
    start_date = forms.DateField(label=_("Start"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(label=_("Status"), choices=PlanStatus.choices)


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
