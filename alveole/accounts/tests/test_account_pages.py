"""The account pages speak Alvéole (issue 15 item 9): sentence case, the product's layout, a next step.

allauth's own words are Title Case ("Remember Me", "Change Password", "Two-Factor Authentication");
Alvéole's forms and templates replace them. The browser side (layout, tabs, screenshots) is in
tests/browser/test_account_pages.py.
"""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from alveole.accounts.forms import ChangePasswordForm, LoginForm, ResetPasswordKeyForm
from alveole.factories import TEST_PASSWORD
from alveole.testing import World

pytestmark = pytest.mark.django_db

# allauth's Title Case strings that must not reach a page.
TITLE_CASE = [
    "Remember Me",
    "Sign In",
    "Sign Out",
    "Password Reset",
    "Change Password",
    "Current Password",
    "New Password",
    "Reset My Password",
    "Two-Factor Authentication",
    "Authenticator App",
    "Recovery Codes",
    "Email Addresses",
    "Add Email",
    "Make Primary",
    "Started At",
    "IP Address",
    "Sign Out Other Sessions",
    "Account Inactive",
    "Confirm Access",
    "Sign Up Closed",
]


def _visible_text(html: str) -> str:
    """The words of the page, without tags, attributes or scripts."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _assert_sentence_case(html: str) -> None:
    text = _visible_text(html)
    found = [s for s in TITLE_CASE if s in text]
    assert not found, found


def _sign_in(user) -> Client:
    """A real sign-in, then the password again: allauth asks for it before its sensitive pages
    (setting up two-factor), and these tests want to see those pages, not the question."""
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    assert client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD}).status_code == 302
    return client


def test_the_forms_label_in_sentence_case() -> None:
    login = LoginForm()
    assert login.fields["remember"].label == "Remember me"
    assert not login.fields["password"].help_text  # the reset link is beside "Remember me" instead
    change = ChangePasswordForm(user=None)
    assert [change.fields[n].label for n in ("oldpassword", "password1", "password2")] == [
        "Current password",
        "New password",
        "New password (again)",
    ]
    # allauth repeats the label as a placeholder, in Title Case: gone.
    assert "placeholder" not in change.fields["oldpassword"].widget.attrs
    reset = ResetPasswordKeyForm(user=None, temp_key="x")
    assert [reset.fields[n].label for n in ("password1", "password2")] == ["New password", "New password (again)"]


def test_the_sign_in_page_uses_alveoles_form(client: Client) -> None:
    html = client.get(reverse("account_login")).content.decode()
    assert ">Remember me</label>" in html
    assert f'href="{reverse("account_reset_password")}">Forgot your password?</a>' in html
    assert 'class="entrance-card' in html or "entrance-card" in html
    _assert_sentence_case(html)


@pytest.mark.parametrize(
    "name", ["account_login", "account_reset_password", "account_reset_password_done", "account_inactive"]
)
def test_the_entrance_pages_are_in_sentence_case_and_alveoles_card(client: Client, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert "entrance-card" in html
    _assert_sentence_case(html)


def test_a_bad_reset_link_says_what_to_do(client: Client) -> None:
    response = client.get(reverse("account_reset_password_from_key", kwargs={"uidb36": "zz", "key": "nope-nope"}))
    html = response.content.decode()
    assert "This link no longer works" in html
    assert f'href="{reverse("account_reset_password")}"' in html
    _assert_sentence_case(html)


def test_signing_up_explains_that_alveole_is_invitation_only(client: Client) -> None:
    html = client.get(reverse("account_signup")).content.decode()
    assert "Alvéole is invitation-only" in html
    _assert_sentence_case(html)


def test_a_deactivated_person_who_signs_in_is_told_what_to_do(world: World) -> None:
    world.member.is_active = False
    world.member.save(update_fields=["is_active"])
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": world.member.email, "password": TEST_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("account_inactive")
    html = response.content.decode()
    assert "Your account is deactivated" in html
    assert "ask an administrator of your organisation to reactivate your account" in html
    assert f'href="{reverse("account_login")}"' in html and "Back to sign in" in html
    _assert_sentence_case(html)


@pytest.mark.parametrize(
    "name",
    [
        "account_change_password",
        "account_email",
        "mfa_index",
        "mfa_activate_totp",
        "usersessions_list",
        "account_logout",
        "account_reauthenticate",
        "profile",
        "tokens",
    ],
)
def test_the_signed_in_account_pages_are_in_sentence_case(world: World, name: str) -> None:
    client = _sign_in(world.member)
    response = client.get(reverse(name))
    assert response.status_code == 200, response.get("Location")
    html = response.content.decode()
    _assert_sentence_case(html)
    if name not in {"account_logout", "account_reauthenticate"}:
        assert 'class="tabs account-tabs"' in html  # the account tabs, once, under one heading
        assert html.count("<h1") == 1


def test_two_factor_can_be_set_up_by_someone_who_opened_the_email_page(world: World) -> None:
    """The email page records the identity's sign-in address as unverified (Alvéole verifies by invitation, not
    by an email link); allauth would then refuse two-factor, even to the admins required to use it."""
    client = _sign_in(world.admin)
    client.get(reverse("account_email"))
    assert EmailAddress.objects.filter(user=world.admin.identity, verified=False).exists()
    html = client.get(reverse("mfa_activate_totp")).content.decode()
    assert "Set up an authenticator app" in html
    assert 'class="qr"' in html and 'id="authenticator_secret"' in html
    assert "until you have verified your email address" not in html
