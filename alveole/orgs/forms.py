from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, validate_email
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from alveole.accounts.models import Role
from alveole.core import policies
from alveole.core.bounds import validate_user_date
from alveole.spaces.models import Space

MAX_EMAILS_PER_BATCH = 50
ROLE_HELP = _(
    "Members see open spaces and can join them. Guests only see the spaces you choose below. "
    "Admins manage people and settings."
)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class SpaceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Space) -> str:
        return obj.name


class InvitationForm(forms.Form):
    emails = forms.CharField(
        label=_("Email addresses"),
        help_text=_("One or more addresses, separated by commas or new lines."),
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "anna@example.com, ben@example.com"}),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER, help_text=ROLE_HELP)
    spaces = SpaceChoiceField(
        label=_("Spaces"),
        queryset=Space.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("They join these spaces when they accept. Required for guests."),
    )

    def __init__(self, *args: object, spaces: QuerySet[Space], can_make_owner: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["spaces"].queryset = spaces  # type: ignore[attr-defined]
        if not can_make_owner:
            self.fields["role"].choices = [c for c in Role.choices if c[0] != Role.OWNER]  # type: ignore[attr-defined]

    def clean_emails(self) -> list[str]:
        raw = self.cleaned_data["emails"]
        emails: list[str] = []
        bad: list[str] = []
        for part in re.split(r"[\s,;]+", raw):
            part = part.strip().strip("<>").lower()
            if not part:
                continue
            try:
                validate_email(part)
            except ValidationError:
                bad.append(part)
                continue
            if part not in emails:
                emails.append(part)
        if bad:
            raise ValidationError(
                _("These are not valid email addresses: %(bad)s. Nobody was invited; fix them and send again."),
                params={"bad": ", ".join(bad[:5])},
            )
        if not emails:
            raise ValidationError(_("Enter at least one email address."))
        if len(emails) > MAX_EMAILS_PER_BATCH:
            raise ValidationError(_("Invite at most %(max)d people at once."), params={"max": MAX_EMAILS_PER_BATCH})
        return emails


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Organisation name"), max_length=120)
    require_mfa_for_admins = forms.BooleanField(
        label=_("Require two-factor authentication for owners and admins"),
        required=False,
        help_text=_(
            "Owners and admins without an authenticator app will be asked to set one up. Only owners can change this."
        ),
    )

    space_creators = forms.ChoiceField(
        label=_("Who may create spaces"),
        choices=policies.SpaceCreators.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    guest_adders = forms.ChoiceField(
        label=_("Who may add guests to spaces"),
        choices=policies.GuestAdders.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text=_("Inviting someone new to the organisation stays with admins."),
    )
    guests_may_post = forms.BooleanField(
        label=_("Guests may start posts"),
        required=False,
        help_text=_("When off, guests can still comment and react."),
    )
    upload_families = forms.MultipleChoiceField(
        label=_("Files people may share"),
        choices=policies.file_family_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    upload_max_mb = forms.IntegerField(label=_("Largest file (MB)"), min_value=0, required=False)
    edit_window_minutes = forms.IntegerField(
        label=_("Edit and delete window (minutes)"),
        min_value=0,
        required=False,
        help_text=_(
            "How long people may edit or delete their posts and comments; 0 means always. "
            "Space managers and admins are not limited."
        ),
    )

    confidential_space_creators = forms.ChoiceField(
        label=_("Who may create confidential spaces"),
        choices=policies.SpaceCreators.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text=_("Also who may take a confidential label off a space. Guests never can."),
    )
    confidential_downloads = forms.BooleanField(
        label=_("Allow downloads of confidential files"),
        required=False,
        help_text=_(
            "When on, each download is recorded in the audit log and the file's name carries who downloaded it "
            "and when. When off, confidential files can be viewed as previews only."
        ),
    )

    export_includes_conversations = forms.BooleanField(
        label=_("Include direct messages in the owners' export of everything"),
        required=False,
        help_text=_(
            "Off by default: direct messages are confidential by nature. When on, each export of everything "
            "holds every conversation and the audit log says so. Only owners can change this."
        ),
    )

    def clean_confidential_space_creators(self) -> str | None:
        return self.cleaned_data.get("confidential_space_creators") or None  # not sent: unchanged

    def __init__(self, *args: object, is_owner: bool, server_max_mb: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not is_owner:
            self.fields["require_mfa_for_admins"].disabled = True
            self.fields["export_includes_conversations"].disabled = True
        field = self.fields["upload_max_mb"]
        field.max_value = server_max_mb  # type: ignore[attr-defined]
        field.validators.append(MaxValueValidator(server_max_mb))
        field.widget.attrs["max"] = server_max_mb
        field.help_text = _("At most %(max)d MB, the server's limit; 0 uses that limit.") % {"max": server_max_mb}


class InvitationAcceptForm(forms.Form):
    full_name = forms.CharField(
        label=_("Your full name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text=_("As colleagues should see it."),
    )
    password = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; avoid common words."),
    )


class AuditFilterForm(forms.Form):
    """The audit page's filters (GET): who, what, which space, between which days."""

    person = forms.TypedChoiceField(label=_("Person"), coerce=int, required=False, empty_value=None)
    action = forms.ChoiceField(label=_("Action"), required=False)
    space = forms.TypedChoiceField(label=_("Space"), coerce=int, required=False, empty_value=None)
    since = forms.DateField(label=_("From"), required=False, validators=[validate_user_date])
    until = forms.DateField(label=_("Until"), required=False, validators=[validate_user_date])

    def __init__(
        self,
        data: object,
        *,
        people: list[tuple[int, str]],
        actions: list[tuple[str, str]],
        spaces: list[tuple[int, str]],
    ) -> None:
        super().__init__(data)  # type: ignore[arg-type]
        self.fields["person"].choices = [("", _("Anyone")), *people]  # type: ignore[attr-defined]
        self.fields["action"].choices = [("", _("Any action")), *actions]  # type: ignore[attr-defined]
        self.fields["space"].choices = [("", _("Any space")), *spaces]  # type: ignore[attr-defined]
        for name in ("since", "until"):
            self.fields[name].widget = forms.DateInput(attrs={"type": "date"})

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("Choose a day on or after the first one."))
        return cleaned


class GuestInvitationForm(forms.Form):
    """Someone from outside, invited into one space as its guest (orgs.guest_invites)."""

    email = forms.EmailField(
        label=_("Their email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "placeholder": "anna@client.example"}),
        help_text=_("They receive a link to join as a guest: they will see this space only."),
    )
