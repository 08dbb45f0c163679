from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ExportForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Exports contain everything in the space: confirm it is you."),
    )
