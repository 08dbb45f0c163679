"""Organisation policies in the browser: an owner sets them, and the people they limit no longer
see the controls (issue 12)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import conftest
from tests.browser.conftest import DESKTOP, PASSWORD, PHONE

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def policies_url():
    """A server of our own: these tests change the demo organisation's policies."""
    yield from conftest.live_server_url.__wrapped__()


def _sign_in(browser, base: str, email: str, viewport=DESKTOP):
    context = browser.new_context(viewport=viewport, locale="en-GB")
    page = context.new_page()
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/")
    return context, page


def test_owner_sets_policies_and_the_limited_controls_disappear(browser, policies_url, screenshot_dir) -> None:
    context, page = _sign_in(browser, policies_url, "camille@example.com")
    page.goto(policies_url + "/admin/settings/")
    page.get_by_label("Admins only").first.check()
    page.get_by_label("Guests may start posts").uncheck()
    for kind in ("Plain text", "ZIP archives"):
        page.get_by_label(kind).uncheck()
    page.get_by_label("Largest file (MB)").fill("5")
    page.get_by_label("Edit and delete window (minutes)").fill("30")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Organisation settings saved.")).to_be_visible()
    assert not conftest.serious_violations(page)
    page.screenshot(path=str(screenshot_dir / "org-policies-1280.png"), full_page=True)
    context.close()

    context, page = _sign_in(browser, policies_url, "camille@example.com", PHONE)
    page.goto(policies_url + "/admin/settings/")
    page.get_by_role("heading", name="Policies").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "org-policies-375.png"))
    context.close()

    # A member: no "New space" button; the composer says how large and which files.
    context, page = _sign_in(browser, policies_url, "lena@example.com")
    expect(page.get_by_role("link", name="New space")).to_have_count(0)
    page.get_by_role("link", name="Website redesign").first.click()
    hint = page.locator("#composer-files-hint")
    expect(hint).to_contain_text("Up to 5 MB")
    assert "txt" not in (page.locator("#composer-files").get_attribute("accept") or "")
    page.screenshot(path=str(screenshot_dir / "policies-composer-1280.png"))
    context.close()

    # The guest comments only.
    context, page = _sign_in(browser, policies_url, "priya@client.example", PHONE)
    page.get_by_role("link", name="Website redesign").first.click()
    expect(page.get_by_text("Your organisation lets guests comment only.")).to_be_visible()
    expect(page.locator("form[data-composer]")).to_have_count(0)
    page.screenshot(path=str(screenshot_dir / "policies-guest-375.png"))
    context.close()
