from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.utils.translation import gettext_lazy as _

from . import selectors
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


class BoardFilterForm(forms.Form):
    """The board's filters, as GET parameters: the page is a plain address that can be shared."""

    assignee = forms.TypedChoiceField(label=_("Assignee"), required=False, coerce=int, empty_value=None)
    milestone = forms.TypedChoiceField(label=_("Milestone"), required=False, coerce=int, empty_value=None)
    due = forms.ChoiceField(
        label=_("Due"),
        required=False,
        choices=[
            ("", _("Any time")),
            (selectors.DUE_LATE, _("Late")),
            (selectors.DUE_WEEK, _("In the next 7 days")),
            (selectors.DUE_MONTH, _("In the next 30 days")),
            (selectors.DUE_NONE, _("No due date")),
        ],
    )

    def __init__(
        self,
        *args: object,
        people: Sequence[tuple[int, str]] = (),
        milestones: Sequence[tuple[int, str]] = (),
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["assignee"].choices = [("", _("Anyone")), *people]  # type: ignore[attr-defined]
        self.fields["milestone"].choices = [("", _("All milestones")), *milestones]  # type: ignore[attr-defined]


class MoveForm(forms.Form):
    column = forms.IntegerField(label=_("Move to"), min_value=1)
    position = forms.IntegerField(required=False, min_value=0)


class ColumnForm(forms.Form):
    name = forms.CharField(label=_("Column name"), max_length=60)
    status = forms.ChoiceField(
        label=_("Counts as"),
        choices=TaskStatus.choices,
        initial=TaskStatus.DOING,
        help_text=_("A task in this column is to do, doing or done everywhere else."),
    )
    wip_limit = forms.IntegerField(label=_("Work-in-progress limit"), required=False, min_value=1, max_value=999)


class ColumnEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    wip_limit = forms.IntegerField(label=_("Limit"), required=False, min_value=1, max_value=999)
