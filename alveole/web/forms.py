"""Forms shared by pages of several features."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SearchForm(forms.Form):
    """The search box above a list (people, spaces)."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
