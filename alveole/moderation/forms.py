from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

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
