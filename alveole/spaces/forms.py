from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Label, SpaceKind, SpaceRole, Visibility


class LabelChoiceField(forms.ModelChoiceField):
    """A choice of the organisation's confidentiality labels, the restricted ones marked."""

    def label_from_instance(self, obj: object) -> str:
        assert isinstance(obj, Label)
        if obj.restricted:
            return "{} — {}".format(obj.name, _("never reaches guests, emails or calendars"))
        return obj.name


class SpaceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    description = forms.CharField(
        label=_("Description"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What this space is for, in a sentence or two."),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (SpaceKind.TEAM, _("Team — an ongoing group, such as Marketing")),
            (SpaceKind.PROJECT, _("Project — work with an end, such as a website redesign")),
        ],
        initial=SpaceKind.TEAM,
        widget=forms.RadioSelect,
    )
    visibility = forms.ChoiceField(
        label=_("Who can see it"),
        choices=[
            (Visibility.OPEN, _("Open — everyone in the organisation (except guests) can see and join it")),
            (Visibility.PRIVATE, _("Private — only the people you add")),
        ],
        initial=Visibility.OPEN,
        widget=forms.RadioSelect,
    )
    label = LabelChoiceField(
        label=_("Confidentiality"),
        queryset=Label.objects.none(),
        required=False,
        empty_label=None,
        help_text=_("Posts may raise it, never lower it. Confidential spaces cannot have guests."),
    )

    def __init__(self, *args: object, labels: list[Label] | None = None, guests: list | None = None, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["label"]
        assert isinstance(field, LabelChoiceField)
        if not labels:
            del self.fields["label"]  # no labels given: the form leaves the label alone
            return
        field.queryset = Label.objects.filter(pk__in=[label.pk for label in labels]).order_by("rank", "id")
        if self.initial.get("label") is None and not self.is_bound:
            self.initial["label"] = labels[0].pk
        if guests:
            names = ", ".join(g.full_name for g in guests)
            field.help_text = _(
                "Guests are members of this space (%(names)s): a confidential label is refused until a manager "
                "removes them, since confidential content never reaches guests."
            ) % {"names": names}


class SpaceRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role in the space"), choices=SpaceRole.choices, initial=SpaceRole.MEMBER)


class PersonSelect(forms.Select):
    """A select of people whose options also carry the name alone (`data-name`), which the
    people picker shows on its chip, and the job title (`data-hint`), which it also searches."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.people: dict[str, tuple[str, str]] = {}

    def create_option(self, *args: object, **kwargs: object) -> dict:
        option = super().create_option(*args, **kwargs)  # type: ignore[arg-type]
        name, hint = self.people.get(str(option["value"]), ("", ""))
        if name:
            option["attrs"]["data-name"] = name
        if hint:
            option["attrs"]["data-hint"] = hint
        return option


class AddMemberForm(SpaceRoleForm):
    user = forms.TypedChoiceField(label=_("Person"), coerce=int, empty_value=None, widget=PersonSelect)

    field_order = ["user", "role"]

    def __init__(self, *args: object, candidates: list, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        choices: list[tuple[object, object]] = [("", _("Choose a person…"))]
        for person in candidates:
            label = f"{person.full_name} — {person.email}"
            if person.is_guest:
                label += " ({})".format(_("guest"))
            choices.append((person.pk, label))
        self.fields["user"].choices = choices  # type: ignore[attr-defined]
        self.fields["user"].widget.people = {str(p.pk): (p.full_name, p.title) for p in candidates}


class StarForm(forms.Form):
    starred = forms.BooleanField(required=False)
