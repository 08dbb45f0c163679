from __future__ import annotations

import zoneinfo
from functools import cache
from typing import TYPE_CHECKING, Any

from allauth.account import forms as allauth_forms
from allauth.account.adapter import get_adapter
from django import forms
from django.utils.translation import gettext_lazy as _

from alveole.core.errors import RateLimited

from .models import User
from .throttle import check_password_again

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    names = sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    return [("UTC", "UTC"), *((z, z.replace("_", " ")) for z in names)]


class ProfileForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        help_text=_("As colleagues should see it."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    title = forms.CharField(
        label=_("Job title"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Follow my browser")), ("en", "English"), ("fr", "Français")],
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_("Dates and times are shown in this time zone."),
        widget=forms.Select(attrs={"data-timezone-select": ""}),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["time_zone"].choices = time_zone_choices()  # type: ignore[attr-defined]


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("Where it will be used, such as “CI” or “Reporting script”."),
    )


def _relabel(form: forms.Form, labels: dict[str, StrOrPromise]) -> None:
    """Give allauth's fields Alvéole's words: sentence case ("Current password", not "Current Password").

    allauth's password fields also repeat their label as a placeholder; next to a visible label it only
    adds noise (and the Title Case), so it goes.
    """
    for name, label in labels.items():
        field = form.fields.get(name)
        if field is None:
            continue
        field.label = label
        if isinstance(field.widget, forms.PasswordInput):
            field.widget.attrs.pop("placeholder", None)


class LoginForm(allauth_forms.LoginForm):
    """allauth's sign-in form in sentence case; "Forgot your password?" is a link of its own on the page."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self, {"password": _("Password"), "remember": _("Remember me")})
        if "password" in self.fields:
            # allauth puts the reset link in the field's help; login.html shows it beside "Remember me".
            self.fields["password"].help_text = ""


class ResetPasswordKeyForm(allauth_forms.ResetPasswordKeyForm):
    """The new password chosen from a reset link, in sentence case."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self, {"password1": _("New password"), "password2": _("New password (again)")})


class ChangePasswordForm(allauth_forms.ChangePasswordForm):
    """allauth's password change, with the current password checked under the sign-in limits."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(
            self,
            {
                "oldpassword": _("Current password"),
                "password1": _("New password"),
                "password2": _("New password (again)"),
            },
        )

    def clean_oldpassword(self) -> str:
        assert isinstance(self.user, User)
        password = self.cleaned_data.get("oldpassword", "")
        try:
            confirmed = check_password_again(self.user, password, step="password_change")
        except RateLimited as exc:  # a race past LoginThrottleMiddleware, which answers 429 first
            raise forms.ValidationError(exc.message) from None
        if not confirmed:
            raise get_adapter().validation_error("enter_current_password")
        return str(password)
