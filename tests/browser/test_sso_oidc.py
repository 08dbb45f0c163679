"""Single sign-on with OpenID Connect (issue 13), through the real flow: Chromium, Alvéole, and Node's
oidc-provider running locally (tests/sso/oidc). No part of the protocol is mocked.

Camille (owner of the demo organisation) sets up the provider on the settings page; people of sso.example then sign
in through it. Refused: an address outside the allowed domains, an id_token that expired, a tampered code or state
in the callback, an id_token meant for another client.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser import conftest
from tests.browser.sso_helpers import DOMAIN, block_fonts, fill_common, me, remove_provider, save, sso_server
from tests.sso.conftest import OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, IdpProcess, sso_tmp, start_oidc_idp  # noqa: F401

pytestmark = pytest.mark.browser
REFUSED = "Your identity provider's answer could not be verified, so you were not signed in: try again."
ACCOUNTS = {
    "ada": {"email": f"ada@{DOMAIN}", "name": "Ada Lovelace", "role": "alveole-admins"},
    "grace": {"email": f"grace@{DOMAIN}", "name": "Grace Hopper", "role": "staff"},
    "mallory": {"email": "mallory@elsewhere.example", "name": "Mallory"},
}


@pytest.fixture(scope="module")
def sso_url() -> Iterator[str]:
    yield from sso_server()


@pytest.fixture(scope="module")
def idps(start_oidc_idp) -> dict[str, IdpProcess]:  # noqa: F811
    prefixes = ["http://127.0.0.1:"]
    return {
        "good": start_oidc_idp(redirect_uri_prefixes=prefixes, accounts=ACCOUNTS),
        "expired": start_oidc_idp(redirect_uri_prefixes=prefixes, accounts=ACCOUNTS, expired=True),
        "aud": start_oidc_idp(redirect_uri_prefixes=prefixes, accounts=ACCOUNTS, id_token_aud="another-client"),
    }


@pytest.fixture(scope="module")
def owner(browser, sso_url: str) -> Iterator[Page]:
    context = browser.new_context(viewport=conftest.DESKTOP, locale="en-GB")
    page = context.new_page()
    page.goto(sso_url + "/accounts/login/")
    page.get_by_label("Email").fill("camille@example.com")
    page.get_by_label("Password").fill(conftest.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(sso_url + "/")
    yield page
    context.close()


def configure(owner: Page, base: str, issuer: str) -> str:
    """Point the organisation's provider at `issuer` on the settings page; return the redirect URI it shows."""
    remove_provider(owner, base)
    fill_common(
        owner,
        protocol="OpenID Connect",
        name="Sso Example",
        role_claim="alveole_role",
        role_map="alveole-admins = admin\nalveole-owners = owner",
    )
    owner.get_by_label("Issuer URL").fill(issuer)
    owner.get_by_label("Client ID").fill(OIDC_CLIENT_ID)
    owner.get_by_label("Client secret").fill(OIDC_CLIENT_SECRET)
    owner.get_by_label("Extra scopes").fill("alveole")
    save(owner)
    redirect_uri = owner.get_by_label("Redirect URI (callback)").input_value()
    assert re.fullmatch(re.escape(base) + r"/accounts/oidc/o[0-9a-f]{16}/login/callback/", redirect_uri), redirect_uri
    assert OIDC_CLIENT_SECRET not in owner.content()  # write-only
    return redirect_uri


def sign_in(browser, base: str, *, email: str, login: str, tamper: tuple[str, str] | None = None) -> Page:
    """Start at the sign-in page, route by `email`'s domain, sign in at the provider as `login`. `tamper`: (provider
    URL, parameter) reverses that parameter of the provider's redirect to Alvéole's callback, as an attacker would."""
    context = browser.new_context(viewport=conftest.PHONE, locale="en-GB")
    page = context.new_page()
    block_fonts(page)
    if tamper is not None:
        # Chromium follows redirects itself, so the provider's answer is rewritten before the browser sees it.
        page.route(tamper[0] + "/**", tampering(tamper[1]))
    page.goto(base + "/accounts/login/")
    page.get_by_role("link", name="Sign in with single sign-on").click()
    page.get_by_label("Work email address").fill(email)
    page.get_by_role("button", name="Continue").click()
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    return page


def test_first_sign_in_creates_the_account_with_the_mapped_role(browser, sso_url, owner, idps):
    configure(owner, sso_url, idps["good"].url)
    page = sign_in(browser, sso_url, email=f"ada@{DOMAIN}", login="ada")
    page.wait_for_url(sso_url + "/")
    ada = me(page, sso_url)
    assert (ada["email"], ada["full_name"], ada["role"]) == (f"ada@{DOMAIN}", "Ada Lovelace", "admin")
    assert ada["organisation_name"] == me(owner, sso_url)["organisation_name"]
    # An unmapped value gives the default role; the second sign-in finds the same account.
    grace = sign_in(browser, sso_url, email=f"grace@{DOMAIN}", login="grace")
    grace.wait_for_url(sso_url + "/")
    assert me(grace, sso_url)["role"] == "member"
    again = sign_in(browser, sso_url, email=f"ada@{DOMAIN}", login="ada")
    again.wait_for_url(sso_url + "/")
    assert me(again, sso_url)["id"] == ada["id"]
    for p in (page, grace, again):
        p.context.close()


def test_disallowed_domain_is_refused_with_a_sentence(browser, sso_url, owner, idps):
    configure(owner, sso_url, idps["good"].url)
    page = sign_in(browser, sso_url, email=f"someone@{DOMAIN}", login="mallory")
    expect(page.locator("[data-sso-refusal]")).to_have_text(
        "Hexagone & Co (demo) accepts single sign-on only for addresses at sso.example, not mallory@elsewhere.example."
    )
    assert page.request.get(sso_url + "/api/v1/me").status == 401
    page.context.close()


def test_expired_id_token_is_refused(browser, sso_url, owner, idps):
    configure(owner, sso_url, idps["expired"].url)
    page = sign_in(browser, sso_url, email=f"ada@{DOMAIN}", login="ada")
    expect(page.locator("[data-sso-refusal]")).to_have_text(REFUSED)
    page.context.close()


def test_id_token_for_another_client_is_refused(browser, sso_url, owner, idps):
    configure(owner, sso_url, idps["aud"].url)
    page = sign_in(browser, sso_url, email=f"ada@{DOMAIN}", login="ada")
    expect(page.locator("[data-sso-refusal]")).to_have_text(REFUSED)
    page.context.close()


def tampering(parameter: str):
    """Chromium follows redirects itself and routes none of them: at the consent form's POST (a navigation it does
    route), follow the provider's redirects with the context's own cookie jar up to the callback, and hand the browser
    that callback with `parameter` reversed."""

    def rewrite(route: Route) -> None:
        if route.request.method != "POST" or "prompt=consent" not in (route.request.post_data or ""):
            route.continue_()
            return
        api = route.request.frame.page.context.request
        answer = api.fetch(route.request, max_redirects=0)
        location = route.request.url
        for _ in range(5):
            location = urljoin(location, answer.headers["location"])
            if "/login/callback/" in location:
                break
            answer = api.get(location, max_redirects=0)
        parts = urlsplit(location)
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        query[parameter] = query[parameter][::-1]
        route.fulfill(status=303, headers={"location": urlunsplit(parts._replace(query=urlencode(query)))})

    return rewrite


@pytest.mark.parametrize("parameter", ["code", "state"])
def test_tampered_callback_is_refused(browser, sso_url, owner, idps, parameter):
    configure(owner, sso_url, idps["good"].url)
    page = sign_in(browser, sso_url, email=f"ada@{DOMAIN}", login="ada", tamper=(idps["good"].url, parameter))
    expect(page.locator("[data-sso-refusal]")).to_have_text(REFUSED)
    assert page.request.get(sso_url + "/api/v1/me").status == 401
    page.context.close()


def test_sso_pages_are_accessible_on_a_phone(browser, sso_url, owner, idps):
    configure(owner, sso_url, idps["good"].url)
    owner.set_viewport_size(conftest.PHONE)
    try:
        owner.goto(sso_url + "/admin/settings/sso/")
        assert not conftest.serious_violations(owner)
        assert owner.evaluate("document.documentElement.scrollWidth") <= conftest.PHONE["width"]
        owner.screenshot(path=str(conftest.SCREENSHOTS / "sso-settings-phone.png"), full_page=True)
    finally:
        owner.set_viewport_size(conftest.DESKTOP)
    context = browser.new_context(viewport=conftest.PHONE, locale="en-GB")
    page = context.new_page()
    page.goto(sso_url + "/sso/start/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in with single sign-on")
    assert not conftest.serious_violations(page)
    page.get_by_label("Work email address").fill("ada@nowhere.example")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("No organisation signs in with single sign-on for this address")).to_be_visible()
    context.close()
