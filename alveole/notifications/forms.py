from __future__ import annotations

from django import forms
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from .models import EmailMode, Kind, PushKind


class SettingsForm(forms.Form):
    """Notification settings, phrased positively: the kinds ticked are the ones the person wants."""

    kinds = forms.MultipleChoiceField(
        label=_("Tell me when"),
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Untick what you would rather not hear about, in the app and by email."),
    )
    email_mode = forms.ChoiceField(
        label=_("Email me"), choices=EmailMode.choices, widget=forms.RadioSelect, initial=EmailMode.IMMEDIATE
    )
    work_start = forms.TimeField(
        label=_("My working day starts at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    work_end = forms.TimeField(label=_("and ends at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    work_days = forms.TypedMultipleChoiceField(
        label=_("My working days"),
        choices=sorted(WEEKDAYS.items()),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Emails wait for your working hours and days; the app always shows everything."),
    )

    def clean_work_days(self) -> list[int]:
        days = self.cleaned_data.get("work_days") or []
        if not days:
            raise forms.ValidationError(_("Choose at least one working day."))
        return days


class PushForm(forms.Form):
    push_kinds = forms.MultipleChoiceField(
        label=_("Push to my devices when"),
        choices=PushKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For every device where push is on. Pushes wait for your working hours."),
    )


class MuteForm(forms.Form):
    muted = forms.BooleanField(required=False)


class IdListField(forms.Field):
    """Repeated hidden inputs holding whole numbers (the ids of what a page listed)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid": _("This list of posts is not valid; reload the page and try again.")}

    def __init__(self, *, max_items: int, **kwargs: object) -> None:
        self.max_items = max_items
        super().__init__(**kwargs)  # type: ignore[arg-type]

    def to_python(self, value: object) -> list[int]:
        if value in self.empty_values:
            return []
        if not isinstance(value, list | tuple):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            ids = [int(v) for v in value]
        except (TypeError, ValueError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if any(i <= 0 for i in ids):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if len(ids) > self.max_items:
            raise forms.ValidationError(
                _("Too many posts at once; reload the catch-up page and try again."), code="too_many"
            )
        return list(dict.fromkeys(ids))


class CatchUpDoneForm(forms.Form):
    """The posts the catch-up page listed: only those count as read."""

    post_ids = IdListField(max_items=500, required=False)
    until = forms.DateTimeField(required=False)  # when the page was put together
