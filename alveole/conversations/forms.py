from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from alveole.accounts.models import User
from alveole.spaces.people import people_visible_to


class NewConversationForm(forms.Form):
    """Write to one person or a few: the choices are the people the writer may see (spaces.people)."""

    person = forms.MultipleChoiceField(label=_("To"))
    title = forms.CharField(label=_("Title (optional)"), required=False, max_length=120)
    body = forms.CharField(label=_("Your message"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, viewer: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people_max = settings.ALVEOLE_CONVERSATION_MAX_PEOPLE - 1
        people = people_visible_to(viewer).exclude(pk=viewer.pk).order_by("full_name", "id")
        self.fields["person"].choices = [  # type: ignore[attr-defined]
            (str(pk), name) for pk, name in people.values_list("pk", "full_name")
        ]
        self.fields["body"].widget.attrs["maxlength"] = settings.ALVEOLE_MESSAGE_MAX_LENGTH
