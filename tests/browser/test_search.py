"""Search (issue 14) in a real browser, on a phone (375 px) and a desktop (1280 px): type in the header's
box, pick a suggestion, search, filter by space, open a result whose words are highlighted.
Screenshots go to var/screenshots/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import conftest

pytestmark = pytest.mark.browser
DESKTOP, PHONE = conftest.DESKTOP, conftest.PHONE


@pytest.fixture
def sign_in(browser, live_server_url: str):
    yield from conftest.signed_in_pages(browser, live_server_url, console_errors=True)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
def test_suggest_search_filter_and_open(sign_in, live_server_url: str, screenshot_dir, viewport) -> None:
    width = viewport["width"]
    page = sign_in("camille@example.com", viewport)

    # Search as you type: a person found without the accent, picked with the keyboard.
    box = page.get_by_role("combobox", name=re.compile("Search"))
    box.press_sequentially("alvar", delay=40)
    option = page.get_by_role("option", name=re.compile("Diego Álvarez"))
    expect(option).to_be_visible()
    page.screenshot(path=str(screenshot_dir / f"search-suggest-{width}.png"))
    box.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/people/\d+/$"))

    # A search, then the space filter: only the project's result stays.
    box = page.get_by_role("combobox", name=re.compile("Search"))
    box.fill("review")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=review"))
    results = page.locator(".search-hit")
    expect(results.first).to_be_visible()
    page.locator("summary", has_text="Filters").click()
    page.get_by_label("Space", exact=True).select_option(label="Website redesign")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"space=\d+"))
    expect(results).to_have_count(1)
    hit = results.first
    expect(hit).to_contain_text("Website redesign")
    expect(hit.locator("mark")).to_have_text(re.compile("review", re.I))
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing wider than the screen
    page.screenshot(path=str(screenshot_dir / f"search-results-{width}.png"), full_page=True)

    hit.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/posts/\d+/"))
    expect(page.locator("main")).to_contain_text("First mock-ups of the home page are ready for review")
    expect(page.locator("main .post-body mark.search-mark")).to_have_text(re.compile("^review$", re.I))
    assert not conftest.serious_violations(page), "axe on the opened post"
