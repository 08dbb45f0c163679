from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alveole.accounts.models import Role

from .actions import ProviderSettings
from .models import IdentityProvider, Protocol

ROLE_LINE = re.compile(r"^\s*(?P<value>.+?)\s*=\s*(?P<role>[a-z]+)\s*$")


def split_words(text: str) -> list[str]:
    return [word for word in re.split(r"[\s,;]+", text or "") if word]


def parse_role_map(text: str) -> dict[str, str]:
    """Lines "value = role" (the value as the provider sends it); a line that does not read so is an error."""
    result = {}
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        match = ROLE_LINE.match(line)
        if match is None:
            raise forms.ValidationError(_("Write one “value = role” per line, such as “alveole-admins = admin”."))
        result[match["value"]] = match["role"]
    return result


class ProviderForm(forms.Form):
    protocol = forms.ChoiceField(label=_("Protocol"), choices=Protocol.choices, widget=forms.RadioSelect)
    display_name = forms.CharField(
        label=_("Name on the sign-in button"), max_length=80, help_text=_("As people know it, such as “Acme Google”.")
    )
    allowed_domains = forms.CharField(
        label=_("Allowed email domains"), max_length=2000, help_text=_("Separated by spaces or commas: example.com")
    )
    create_on_first_sign_in = forms.BooleanField(
        label=_("Create an account on a person’s first sign-in"), required=False
    )
    role_claim = forms.CharField(
        label=_("Role claim or attribute"),
        max_length=200,
        required=False,
        help_text=_(
            "Such as roles (Entra ID), groups, or a Keycloak client-roles mapper. Empty: roles stay as set here."
        ),
    )
    role_map = forms.CharField(
        label=_("Role map"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One “value = role” per line (owner, admin, member or guest). Owner is never given otherwise."),
    )
    default_role = forms.ChoiceField(
        label=_("Role of everyone else"), choices=[(r, label) for r, label in Role.choices if r != Role.OWNER]
    )
    password_login_disabled = forms.BooleanField(
        label=_("Turn off passwords for this organisation"),
        required=False,
        help_text=_(
            "Everyone signs in through the provider; owners keep their password and two-factor as a way back in."
        ),
    )
    issuer = forms.CharField(label=_("Issuer URL"), max_length=500, required=False)
    client_id = forms.CharField(label=_("Client ID"), max_length=191, required=False)
    client_secret = forms.CharField(
        label=_("Client secret"),
        max_length=500,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Never shown again. Leave empty to keep the saved one."),
    )
    extra_scopes = forms.CharField(
        label=_("Extra scopes"), max_length=500, required=False, help_text=_("Besides openid, email and profile.")
    )
    idp_entity_id = forms.CharField(label=_("Identity provider entity ID"), max_length=500, required=False)
    idp_sso_url = forms.CharField(label=_("Single sign-on URL"), max_length=500, required=False)
    idp_certificate = forms.CharField(
        label=_("Signing certificate"), required=False, widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"})
    )

    def clean_role_map(self) -> dict[str, str]:
        return parse_role_map(self.cleaned_data.get("role_map", ""))

    def settings(self) -> ProviderSettings:
        data: dict[str, Any] = self.cleaned_data
        return ProviderSettings(
            protocol=data["protocol"],
            display_name=data["display_name"],
            allowed_domains=split_words(data["allowed_domains"]),
            create_on_first_sign_in=data["create_on_first_sign_in"],
            role_claim=data["role_claim"],
            role_map=data["role_map"],
            default_role=data["default_role"],
            password_login_disabled=data["password_login_disabled"],
            issuer=data["issuer"],
            client_id=data["client_id"],
            client_secret=data["client_secret"],
            extra_scopes=split_words(data["extra_scopes"]),
            idp_entity_id=data["idp_entity_id"],
            idp_sso_url=data["idp_sso_url"],
            idp_certificate=data["idp_certificate"],
        )


def initial_of(idp: IdentityProvider | None) -> dict[str, Any]:
    if idp is None:
        return {"protocol": Protocol.OIDC, "create_on_first_sign_in": True, "default_role": Role.MEMBER}
    app = idp.social_app
    settings = app.settings or {}
    initial: dict[str, Any] = {
        "protocol": idp.protocol,
        "display_name": idp.display_name,
        "allowed_domains": ", ".join(idp.allowed_domains),
        "create_on_first_sign_in": idp.create_on_first_sign_in,
        "role_claim": idp.role_claim,
        "role_map": "\n".join(f"{value} = {role}" for value, role in idp.role_map.items()),
        "default_role": idp.default_role,
        "password_login_disabled": idp.password_login_disabled,
    }
    if idp.protocol == Protocol.OIDC:
        scopes = [s for s in settings.get("scope", []) if s not in ("openid", "email", "profile")]
        initial.update(issuer=settings.get("server_url", ""), client_id=app.client_id, extra_scopes=" ".join(scopes))
    else:
        saml_idp = settings.get("idp", {})
        initial.update(
            idp_entity_id=saml_idp.get("entity_id", ""),
            idp_sso_url=saml_idp.get("sso_url", ""),
            idp_certificate=saml_idp.get("x509cert", ""),
        )
    return initial


class StartForm(forms.Form):
    email = forms.EmailField(label=_("Work email address"), max_length=254)
