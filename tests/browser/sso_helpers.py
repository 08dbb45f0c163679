"""What the OIDC and SAML browser tests share: a server of their own that accepts local (http) providers, and the
owner's settings page."""

from __future__ import annotations

import os
from collections.abc import Iterator

from playwright.sync_api import Page, expect

from tests.browser import conftest

DOMAIN = "sso.example"
INSECURE = "ALVEOLE_SSO_ALLOW_INSECURE_ISSUERS"


def sso_server() -> Iterator[str]:
    """A server of its own (these tests add providers and accounts); the local providers listen on http://127.0.0.1,
    which only ALVEOLE_SSO_ALLOW_INSECURE_ISSUERS lets an owner enter."""
    previous = os.environ.get(INSECURE)
    os.environ[INSECURE] = "1"
    try:
        yield from conftest.live_server_url.__wrapped__()  # type: ignore[attr-defined]
    finally:
        if previous is None:
            os.environ.pop(INSECURE, None)
        else:
            os.environ[INSECURE] = previous


def block_fonts(page: Page) -> None:
    """oidc-provider's pages import a web font: the machines are offline."""
    page.route("**/fonts.googleapis.com/**", lambda route: route.abort())


def remove_provider(page: Page, base: str) -> None:
    page.goto(base + "/admin/settings/sso/")
    remove = page.get_by_role("button", name="Remove single sign-on")
    if remove.count():
        remove.click()
        expect(page.get_by_text("Single sign-on removed.")).to_be_visible()


def fill_common(page: Page, *, protocol: str, name: str, role_claim: str, role_map: str) -> None:
    page.get_by_label(protocol, exact=True).check()
    page.get_by_label("Name on the sign-in button").fill(name)
    page.get_by_label("Allowed email domains").fill(DOMAIN)
    page.get_by_label("Create an account on a person’s first sign-in").check()
    page.get_by_label("Role claim or attribute").fill(role_claim)
    page.get_by_label("Role map").fill(role_map)
    page.get_by_label("Role of everyone else").select_option("member")


def save(page: Page) -> None:
    page.get_by_role("button", name="Save single sign-on").click()
    expect(page.get_by_text("Single sign-on saved.")).to_be_visible()


def me(page: Page, base: str) -> dict:
    answer = page.request.get(base + "/api/v1/me")
    assert answer.ok, answer.text()
    return answer.json()
