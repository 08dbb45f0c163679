"""One person in two organisations (issue 13), in Chromium: Priya, a guest of the demo company, is invited
to a second organisation with the same address, accepts while signed in, switches from the header (the
account menu on a phone) and posts in each. Screenshots go to docs/screenshots/multi-org-*.png.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser import conftest

pytestmark = pytest.mark.browser

PASSWORD = conftest.PASSWORD
DEMO = "Hexagone & Co (demo)"
STUDIO = "Nair Studio"
PRIYA = "priya@client.example"
NADIA = "nadia@nair.example"


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    """A server of our own, with a second organisation made by the operator command in its database
    (conftest's server keeps its data under a fresh tempfile.mkdtemp directory: ours tells where)."""
    holder = Path(tempfile.mkdtemp(prefix="alveole-multi-org-"))
    previous, tempfile.tempdir = tempfile.tempdir, str(holder)
    try:
        servers = conftest.live_server_url.__wrapped__()
        url = next(servers)
    finally:
        tempfile.tempdir = previous
    (var_dir,) = holder.glob("alveole-browser-*")
    env = {
        **os.environ,
        "ALVEOLE_VAR_DIR": str(var_dir),
        "SECRET_KEY": "browser-tests-only-" + "k" * 50,
        "DJANGO_SETTINGS_MODULE": "alveole.settings",
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    command = [sys.executable, "-m", "alveole.cli", "createorg", "--name", STUDIO, "--owner-email", NADIA]
    command += ["--owner-name", "Nadia Nair", "--password", PASSWORD]
    subprocess.run(command, cwd=conftest.ROOT, env=env, check=True, capture_output=True, timeout=120)
    try:
        yield url
    finally:
        servers.close()
        shutil.rmtree(holder, ignore_errors=True)


def _signed_in(browser, base: str, email: str, problems: list[str], viewport=conftest.DESKTOP) -> Page:
    context = browser.new_context(viewport=viewport, locale="en-GB")
    page = context.new_page()
    page.on("pageerror", lambda exc: problems.append(f"{email}: {exc}"))
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/")
    return page


def _shoot(page: Page, name: str) -> None:
    conftest.DOCS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(300)
    page.screenshot(path=str(conftest.DOCS / f"multi-org-{name}.png"))


def _post(page: Page, space: str, text: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=space).first.click()
    page.wait_for_url(re.compile(r"/spaces/\d+/$"))
    page.get_by_label("Write a post").fill(text)
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.locator("article.post", has_text=text).first).to_be_visible()


def test_one_person_accepts_a_second_invitation_switches_and_posts_in_each(base: str, browser) -> None:
    problems: list[str] = []

    # --- Nadia, owner of the second organisation, makes a space and invites Priya's usual address ------
    nadia = _signed_in(browser, base, NADIA, problems)
    nadia.goto(base + "/spaces/new/")
    nadia.get_by_label("Name").fill("Studio")
    nadia.get_by_role("button", name="Create space").click()
    nadia.wait_for_url(re.compile(r"/spaces/\d+/$"))
    nadia.goto(base + "/admin/invitations/")
    nadia.get_by_label("Email addresses").fill(PRIYA)
    nadia.get_by_role("checkbox", name="Studio").check()
    nadia.get_by_role("button", name="Send invitations").click()
    link = nadia.get_by_test_id("invitation-link").input_value()
    assert "/invite/" in link
    # The inviter learns nothing about the address's other organisation.
    assert DEMO not in nadia.content() and "already" not in nadia.content()

    # --- Priya, signed in to the demo company, opens the link and joins with the same sign-in -----------
    priya = _signed_in(browser, base, PRIYA, problems)
    expect(priya.locator(".org-switch")).to_have_count(0)  # one organisation: no switcher
    priya.goto(link)
    expect(priya.get_by_role("heading", name=f"Join {STUDIO}")).to_be_visible()
    priya.get_by_role("button", name=f"Join {STUDIO}").click()
    priya.wait_for_url(base + "/")
    expect(priya.get_by_text(f"Welcome to {STUDIO}!")).to_be_visible()
    switcher = priya.locator("details.org-switch")
    expect(switcher.locator("summary")).to_contain_text(STUDIO)
    _post(priya, "Studio", "Hello Nair Studio, Priya here")

    # --- the header switcher, at 1280 px ---------------------------------------------------------------
    switcher.locator("summary").click()
    expect(switcher.get_by_role("button", name=re.compile(re.escape(DEMO)))).to_be_visible()
    _shoot(priya, "switcher-1280")
    switcher.get_by_role("button", name=re.compile(re.escape(DEMO))).click()
    priya.wait_for_url(base + "/")
    expect(priya.get_by_text(f"You are now in {DEMO}.")).to_be_visible()
    expect(priya.locator("details.org-switch summary")).to_contain_text(DEMO)
    _post(priya, "Website redesign", "Back in the redesign space, same sign-in")

    # Each organisation sees only its own: Nair Studio's people list does not mention the demo company.
    nadia.goto(base + "/people/")
    assert DEMO not in nadia.content() and "Hexagone" not in nadia.content()
    nadia.goto(base + "/spaces/")
    assert "Website redesign" not in nadia.content()

    # --- on a phone the switcher is in the account menu --------------------------------------------------
    phone = _signed_in(browser, base, PRIYA, problems, viewport=conftest.PHONE)
    expect(phone.locator("details.org-switch")).to_be_hidden()
    phone.locator("#me-menu > summary").click()
    orgs = phone.locator("#me-menu .menu-orgs")
    expect(orgs).to_be_visible()
    _shoot(phone, "menu-375")
    orgs.get_by_role("button", name=re.compile(STUDIO)).click()
    phone.wait_for_url(base + "/")
    expect(phone.get_by_text(f"You are now in {STUDIO}.")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.goto(base + "/profile/organisations/")
    listed = phone.locator(".org-list")
    expect(listed.locator("strong", has_text=DEMO)).to_be_visible()
    expect(listed.locator("strong", has_text=STUDIO)).to_be_visible()
    expect(listed.get_by_text("Open now")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    _shoot(phone, "organisations-375")
    assert not conftest.serious_violations(phone)

    assert not problems, problems
