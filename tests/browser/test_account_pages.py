"""The account pages in Alvéole's look (issue 15 item 9), on a phone and on a desktop.

Sign-in, password reset (to its end, from the emailed link), password change, email addresses,
sessions, two-factor (set up, recovery codes, sign-in with a code, turning it off), signing out,
and what a deactivated person sees. Each page: Alvéole's layout, sentence case, the account tabs
fully visible, axe-core finds nothing serious. Screenshots go to docs/screenshots/account-*.png.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import shutil
import struct
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser import conftest

pytestmark = pytest.mark.browser

PASSWORD = "hive-demo-2026"  # alveole.shell.demo.DEMO_PASSWORD
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 800}
DOCS = conftest.ROOT / "docs" / "screenshots"

# allauth's own Title Case words: none may reach a page.
TITLE_CASE = (
    "Remember Me",
    "Sign In",
    "Sign Out",
    "Password Reset",
    "Change Password",
    "Current Password",
    "New Password",
    "Two-Factor Authentication",
    "Authenticator App",
    "Recovery Codes",
    "Email Addresses",
    "Make Primary",
    "Started At",
    "IP Address",
    "Account Inactive",
    "Confirm Access",
)


@dataclass
class Server:
    url: str
    mail: Path  # the file email backend's folder: where password reset emails land


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    """A server of our own (these tests reset a password, set up two-factor and deactivate someone),
    and its mail folder: conftest's server writes mail under its fresh var directory, made with
    tempfile.mkdtemp, so a temporary directory of ours tells where that is."""
    holder = Path(tempfile.mkdtemp(prefix="alveole-accounts-"))
    previous, tempfile.tempdir = tempfile.tempdir, str(holder)
    try:
        servers = conftest.live_server_url.__wrapped__()
        url = next(servers)
    finally:
        tempfile.tempdir = previous
    (var_dir,) = holder.glob("alveole-browser-*")
    try:
        yield Server(url, var_dir / "mail")
    finally:
        servers.close()
        shutil.rmtree(holder, ignore_errors=True)


@pytest.fixture
def new_page(browser) -> Iterator:
    contexts = []
    problems: list[str] = []

    def _new_page(viewport=DESKTOP) -> Page:
        context = browser.new_context(viewport=viewport, locale="en-GB")
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        return page

    yield _new_page
    for context in contexts:
        context.close()
    assert not problems, problems


def _sign_in(page: Page, base: str, email: str, password: str = PASSWORD) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def _width(page: Page) -> int:
    return page.viewport_size["width"] if page.viewport_size else 0


def _check(page: Page, name: str) -> None:
    """Every account page: Alvéole's stylesheet, sentence case, nothing wider than the screen, axe
    clean; then its screenshot for the README."""
    assert page.locator("link[href$='/alveole/app.css']").count() == 1
    text = page.locator("body").inner_text()
    assert not [s for s in TITLE_CASE if s in text], [s for s in TITLE_CASE if s in text]
    assert page.evaluate("document.documentElement.scrollWidth") <= _width(page)
    serious = conftest.serious_violations(page)
    assert not serious, f"{page.url}: {serious}"
    DOCS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(200)
    page.screenshot(path=str(DOCS / f"account-{name}-{_width(page)}.png"))


def _tabs_fully_visible(page: Page) -> None:
    """The account tabs: none clipped ("Acce…"), none past the screen's edge, nothing to scroll."""
    tabs = page.get_by_role("navigation", name="Account settings")
    expect(tabs).to_be_visible()
    assert tabs.evaluate("el => el.scrollWidth <= el.clientWidth"), "the tab strip overflows"
    assert tabs.get_attribute("data-more") is None, "the tab strip fades out a hidden tab"
    strip = tabs.bounding_box()
    assert strip is not None
    labels = tabs.get_by_role("link")
    assert labels.count() == 5
    for i in range(labels.count()):
        tab = labels.nth(i)
        box = tab.bounding_box()
        assert box is not None
        assert box["x"] >= strip["x"] - 1 and box["x"] + box["width"] <= strip["x"] + strip["width"] + 1, (
            tab.inner_text(),
            box,
            strip,
        )
        assert box["x"] + box["width"] <= _width(page)
        assert tab.evaluate("el => el.scrollWidth <= el.clientWidth"), f"{tab.inner_text()} is cut"


def _totp(secret: str, at: float | None = None) -> str:
    """The authenticator app's 6-digit code (RFC 6238: HMAC-SHA1, 30-second steps)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def _latest_reset_link(mail: Path, base: str, after: float) -> str:
    """The reset link of the newest email written after `after` (the file backend, one file per send)."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        files = sorted((p for p in mail.glob("*") if p.stat().st_mtime >= after), key=lambda p: p.stat().st_mtime)
        for path in reversed(files):
            text = path.read_text(errors="replace").replace("=\n", "")
            links = re.findall(r"/accounts/password/reset/key/[^\s\"<>]+/", text)
            if links:
                return base + links[-1]
        time.sleep(0.2)
    raise AssertionError(f"no password reset email in {mail}")


# --- signing in, and a password reset from the request to the new password ------------------------


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
def test_sign_in_and_password_reset(server: Server, new_page, viewport) -> None:
    base = server.url
    page = new_page(viewport)
    page.goto(base + "/accounts/login/")
    expect(page.get_by_role("heading", name="Sign in to Alvéole", level=1)).to_be_visible()
    expect(page.locator("label[for='id_remember']")).to_have_text("Remember me")
    expect(page.get_by_label("Remember me", exact=True)).to_be_visible()
    forgot = page.get_by_role("link", name="Forgot your password?", exact=True)
    expect(forgot).to_be_visible()
    _check(page, "sign-in")

    forgot.click()
    page.wait_for_url(base + "/accounts/password/reset/")
    expect(page.get_by_role("heading", name="Reset your password", level=1)).to_be_visible()
    _check(page, "password-reset")
    sent_after = time.time() - 1
    page.get_by_label("Email").fill("priya@client.example")
    page.get_by_role("button", name="Send the reset link").click()
    page.wait_for_url(base + "/accounts/password/reset/done/")
    expect(page.get_by_role("heading", name="Check your email", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Back to sign in")).to_be_visible()
    _check(page, "password-reset-done")

    page.goto(_latest_reset_link(server.mail, base, sent_after))
    expect(page.get_by_role("heading", name="Choose a new password", level=1)).to_be_visible()
    new_password = f"amber-hive-on-the-hill-{_width(page)}"
    page.get_by_label("New password", exact=True).fill(new_password)
    page.get_by_label("New password (again)", exact=True).fill(new_password)
    _check(page, "password-reset-from-key")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_role("heading", name="Your password is changed", level=1)).to_be_visible()
    _check(page, "password-reset-from-key-done")
    page.get_by_role("link", name="Sign in", exact=True).click()
    _sign_in(page, base, "priya@client.example", new_password)
    page.wait_for_url(base + "/")

    # A used (or mistyped) link says so and offers a new one.
    page.goto(base + "/accounts/password/reset/key/zz-no-such-key/")
    expect(page.get_by_role("heading", name="This link no longer works", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Ask for a new link")).to_have_attribute("href", "/accounts/password/reset/")


# --- the account pages of a signed-in person, and two-factor from set-up to sign-in -----------------


@pytest.mark.parametrize(
    ("viewport", "email"), [(PHONE, "diego@example.com"), (DESKTOP, "lena@example.com")], ids=["375", "1280"]
)
def test_account_pages_and_two_factor(server: Server, new_page, viewport, email: str) -> None:
    base = server.url
    page = new_page(viewport)
    _sign_in(page, base, email)
    page.wait_for_url(base + "/")

    for path in ("/profile/", "/profile/tokens/"):
        page.goto(base + path)
        _tabs_fully_visible(page)

    page.goto(base + "/accounts/password/change/")
    _tabs_fully_visible(page)
    for label in ("Current password", "New password", "New password (again)"):
        expect(page.get_by_label(label, exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Change password")).to_be_visible()
    _check(page, "password-change")

    page.goto(base + "/accounts/email/")
    _tabs_fully_visible(page)
    expect(page.get_by_role("heading", name="Email addresses", level=2)).to_be_visible()
    expect(page.locator("main")).to_contain_text(email)
    _check(page, "email")

    page.goto(base + "/accounts/sessions/")
    _tabs_fully_visible(page)
    expect(page.locator("main")).to_contain_text("This device")
    _check(page, "sessions")

    page.goto(base + "/accounts/2fa/")
    _tabs_fully_visible(page)
    expect(page.get_by_role("heading", name="Authenticator app", level=3)).to_be_visible()
    _check(page, "two-factor")

    # Setting it up asks for the password again first.
    page.get_by_role("link", name="Set up an authenticator app").click()
    expect(page.get_by_role("heading", name="Confirm it’s you", level=1)).to_be_visible()
    _check(page, "reauthenticate")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(base + "/accounts/2fa/totp/activate/")
    expect(page.get_by_role("heading", name="Set up an authenticator app", level=2)).to_be_visible()
    _tabs_fully_visible(page)
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    _check(page, "totp-activate")
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Authenticator code").fill(_totp(secret))
    page.get_by_role("button", name="Activate", exact=True).click()

    page.wait_for_url(base + "/accounts/2fa/recovery-codes/")
    expect(page.get_by_role("heading", name="Recovery codes", level=2)).to_be_visible()
    codes = page.get_by_role("list", name="Unused codes").locator("code")
    assert codes.count() >= 5
    recovery_code = codes.first.inner_text()
    _check(page, "recovery-codes")

    page.goto(base + "/accounts/2fa/")
    expect(page.locator("#totp-title + .badge")).to_have_text("In use")
    _check(page, "two-factor-on")
    page.goto(base + "/accounts/2fa/recovery-codes/generate/")
    expect(page.get_by_role("heading", name="Generate new recovery codes", level=2)).to_be_visible()
    _check(page, "recovery-codes-generate")
    page.goto(base + "/accounts/2fa/totp/deactivate/")
    expect(page.get_by_role("heading", name="Deactivate the authenticator app", level=2)).to_be_visible()
    _check(page, "totp-deactivate")

    page.goto(base + "/accounts/logout/")
    expect(page.get_by_role("heading", name="Sign out", level=1)).to_be_visible()
    _check(page, "sign-out")
    page.locator("main").get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))

    # Signing in now asks for a code; a recovery code does when the phone is lost.
    _sign_in(page, base, email)
    page.wait_for_url(base + "/accounts/2fa/authenticate/")
    expect(page.get_by_role("heading", name="Two-factor authentication", level=1)).to_be_visible()
    _check(page, "two-factor-sign-in")
    page.get_by_label("Code", exact=True).fill(recovery_code)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(base + "/")


# --- a deactivated person ---------------------------------------------------------------------------


def test_a_deactivated_person_is_told_what_happened_and_what_to_do(server: Server, new_page) -> None:
    base = server.url
    admin = new_page(DESKTOP)
    _sign_in(admin, base, "camille@example.com")
    admin.wait_for_url(base + "/")
    admin.goto(base + "/admin/")
    row = admin.locator("tr[data-member='sam@example.com']")
    row.get_by_role("button", name="Deactivate").click()
    admin.locator("dialog.confirm").get_by_role("button", name="Deactivate").click()
    expect(admin.locator("tr[data-member='sam@example.com']")).to_contain_text("Deactivated")

    for viewport in (PHONE, DESKTOP):
        page = new_page(viewport)
        _sign_in(page, base, "sam@example.com")
        page.wait_for_url(base + "/accounts/inactive/")
        expect(page.get_by_role("heading", name="Your account is deactivated", level=1)).to_be_visible()
        expect(page.get_by_role("heading", name="What to do next")).to_be_visible()
        expect(page.locator("main")).to_contain_text(
            "ask an administrator of your organisation to reactivate your account"
        )
        _check(page, "inactive")
        page.get_by_role("link", name="Back to sign in").click()
        page.wait_for_url(base + "/accounts/login/")


# --- in French ----------------------------------------------------------------------------------------


def test_the_sign_in_page_in_french(server: Server, new_page) -> None:
    page = new_page(DESKTOP)
    page.goto(server.url + "/accounts/login/")
    page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", name="Connexion à Alvéole", level=1)).to_be_visible()
    expect(page.locator("label[for='id_remember']")).to_have_text("Se souvenir de moi")
    expect(page.get_by_label("Mot de passe", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Mot de passe oublié ?")).to_be_visible()
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible()
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    expect(page.get_by_role("heading", name="Réinitialiser votre mot de passe", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="Envoyer le lien de réinitialisation")).to_be_visible()
