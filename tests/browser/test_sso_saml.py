"""Single sign-on with SAML 2.0 (issue 13), through the real flow: Chromium, Alvéole (allauth's SAML provider on
python3-saml) and pysaml2's IdP running locally (tests/sso/saml_idp.py). No part of the protocol is mocked.

Camille (owner of the demo organisation) sets up the IdP on the settings page; the IdP reads Alvéole's service
provider metadata. Signed assertions sign in with the mapped role; a tampered, expired or unsigned one is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser import conftest
from tests.browser.sso_helpers import DOMAIN, fill_common, me, remove_provider, save, sso_server
from tests.sso.conftest import IdpProcess, saml_certs, sso_tmp, start_saml_idp  # noqa: F401

pytestmark = pytest.mark.browser
REFUSED = "Your identity provider's answer could not be verified, so you were not signed in: try again."
ACCOUNTS = {f"sara@{DOMAIN}": {"role": "alveole-admins", "given_name": "Sara", "surname": "Saml"}}


@pytest.fixture(scope="module")
def saml_url() -> Iterator[str]:
    yield from sso_server()


@pytest.fixture(scope="module")
def sp_metadata_file(sso_tmp) -> Path:  # noqa: F811
    """Where the IdPs read Alvéole's metadata (again on each sign-in): written once the provider is saved."""
    return sso_tmp / "alveole-sp-metadata.xml"


@pytest.fixture(scope="module")
def idps(start_saml_idp, sp_metadata_file) -> dict[str, IdpProcess]:  # noqa: F811
    return {
        "good": start_saml_idp(sp_metadata_file, accounts=ACCOUNTS),
        "tampered": start_saml_idp(sp_metadata_file, accounts=ACCOUNTS, tamper=True),
        "expired": start_saml_idp(sp_metadata_file, accounts=ACCOUNTS, travel=-7200),
        "unsigned": start_saml_idp(sp_metadata_file, accounts=ACCOUNTS, unsigned=True),
    }


@pytest.fixture(scope="module")
def owner(browser, saml_url: str) -> Iterator[Page]:
    context = browser.new_context(viewport=conftest.DESKTOP, locale="en-GB")
    page = context.new_page()
    page.goto(saml_url + "/accounts/login/")
    page.get_by_label("Email").fill("camille@example.com")
    page.get_by_label("Password").fill(conftest.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(saml_url + "/")
    yield page
    context.close()


def configure(owner: Page, base: str, idp: IdpProcess, certificate: str, metadata_file: Path) -> None:
    """Point the organisation's provider at `idp` (first time: from scratch), and give the IdPs Alvéole's metadata."""
    owner.goto(base + "/admin/settings/sso/")
    if owner.get_by_label("Redirect URI (callback)").count():
        remove_provider(owner, base)  # an OpenID Connect one
    fill_common(owner, protocol="SAML 2.0", name="Sso Example", role_claim="role", role_map="alveole-admins = admin")
    owner.get_by_label("Identity provider entity ID").fill(f"{idp.url}/metadata")
    owner.get_by_label("Single sign-on URL").fill(f"{idp.url}/sso/redirect")
    owner.get_by_label("Signing certificate").fill(certificate)
    save(owner)
    metadata_url = owner.get_by_label("Service provider metadata URL").input_value()
    assert owner.get_by_label("Entity ID (audience)").input_value() == metadata_url
    assert owner.get_by_label("Assertion consumer service (reply) URL").input_value().endswith("/acs/")
    answer = owner.request.get(metadata_url)
    assert answer.ok and "AssertionConsumerService" in answer.text(), answer.text()
    metadata_file.write_text(answer.text())


def sign_in(browser, base: str, email: str) -> Page:
    context = browser.new_context(viewport=conftest.PHONE, locale="en-GB")
    page = context.new_page()
    page.goto(base + "/accounts/login/")
    page.get_by_role("link", name="Sign in with single sign-on").click()
    page.get_by_label("Work email address").fill(email)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Email").fill(email)  # the IdP's own form
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return page


def test_first_sign_in_creates_the_account_with_the_mapped_role(
    browser,
    saml_url,
    owner,
    idps,
    saml_certs,  # noqa: F811
    sp_metadata_file,
):
    configure(owner, saml_url, idps["good"], saml_certs.pem, sp_metadata_file)
    page = sign_in(browser, saml_url, f"sara@{DOMAIN}")
    page.wait_for_url(saml_url + "/")
    sara = me(page, saml_url)
    assert (sara["email"], sara["full_name"], sara["role"]) == (f"sara@{DOMAIN}", "Sara Saml", "admin")
    assert sara["organisation_name"] == me(owner, saml_url)["organisation_name"]
    page.context.close()


@pytest.mark.parametrize("mode", ["tampered", "expired", "unsigned"])
def test_bad_assertions_are_refused(
    browser,
    saml_url,
    owner,
    idps,
    saml_certs,  # noqa: F811
    sp_metadata_file,
    mode,
):
    configure(owner, saml_url, idps[mode], saml_certs.pem, sp_metadata_file)
    page = sign_in(browser, saml_url, f"sara@{DOMAIN}")
    expect(page.locator("[data-sso-refusal]")).to_have_text(REFUSED)
    assert page.request.get(saml_url + "/api/v1/me").status == 401
    page.context.close()
