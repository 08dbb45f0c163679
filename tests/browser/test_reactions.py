"""Emoji reactions (issue 15): search the whole Unicode set in the picker, on a phone and on a desktop,
with the mouse and with the keyboard; another person sees the reaction arrive live; recent emoji
come first the next time; axe finds nothing serious in the open picker. Screenshots of the open
picker go to docs/screenshots/emoji-picker-375.png and -1280.png.
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser import conftest

pytestmark = pytest.mark.browser
PASSWORD, DESKTOP, PHONE, DOCS = conftest.PASSWORD, conftest.DESKTOP, conftest.PHONE, conftest.DOCS

POST = "Welcome to"  # Camille's welcome post in "Everyone": Sam and Diego reacted to it in the demo


@pytest.fixture(scope="module")
def reactions_url():
    """A server of our own: these tests react to the demo's posts."""
    yield from conftest.live_server_url.__wrapped__()


@pytest.fixture
def sign_in(browser, reactions_url: str):
    yield from conftest.signed_in_pages(browser, reactions_url, console_errors=True, then=_wait_connected)


def _wait_connected(page, timeout: float = 10_000) -> None:
    """Polled from outside: wait_for_function evaluates a string in the page, which the CSP refuses."""
    waited = 0.0
    while not page.evaluate("Boolean(window.alveoleLive && window.alveoleLive.connected)"):
        assert waited < timeout, "the live connection did not open"
        page.wait_for_timeout(100)
        waited += 100


def _card(page):
    return page.locator("article.post:not(:has(.shared))", has_text=POST).first


def _open_picker(card, *, keyboard: bool = False):
    summary = card.locator(".react-picker > summary")
    if keyboard:
        summary.focus()
        summary.press("Enter")
    else:
        summary.click()
    panel = card.locator(".picker-panel")
    expect(panel).to_be_visible()
    search = panel.get_by_role("searchbox", name="Search all emoji")
    expect(search).to_be_focused()
    expect(panel.locator(".emoji-option").first).to_be_visible()  # the list has arrived
    return panel, search


def _on_screen(page, panel, viewport) -> None:
    box = panel.bounding_box()
    top = page.locator(".topbar").bounding_box()
    assert box and top
    assert box["y"] >= top["y"] + top["height"], f"the picker opens behind the top bar: {box}"
    assert box["y"] + box["height"] <= viewport["height"], box
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], box


def _serious(page) -> list[str]:
    """axe on the open picker. (The whole page is test_daily's: here cards fading from "new" to read
    would be measured mid-transition.)"""
    results = Axe().run(page, context="details.react-picker[open] .picker-panel")
    assert any(r["id"] == "button-name" for r in results.response["passes"]), "axe did not see the picker"
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _count(card, emoji: str):
    return card.locator(f'.reaction-count[data-emoji="{emoji}"] [data-count]')


def test_search_pick_see_it_live_and_find_it_first_next_time(sign_in, reactions_url: str) -> None:
    watcher = sign_in("diego@example.com")  # Diego keeps the home feed open on a desktop
    seen = _card(watcher)
    expect(seen.locator(".reaction-summary")).to_be_visible()
    expect(_count(seen, "🚀")).to_have_count(0)

    for email, viewport, keyboard, total in (
        ("lena@example.com", PHONE, False, "1"),
        ("camille@example.com", DESKTOP, True, "2"),
    ):
        width = viewport["width"]
        page = sign_in(email, viewport)
        card = _card(page)
        card.scroll_into_view_if_needed()
        panel, search = _open_picker(card, keyboard=keyboard)
        _on_screen(page, panel, viewport)

        search.fill("rocket")
        rocket = panel.get_by_role("button", name="Rocket", exact=True)
        expect(rocket).to_be_visible()
        expect(panel.locator("[data-emoji-status]")).to_have_text(re.compile(r"^\d+ emoji found$"))
        if keyboard:
            search.press("ArrowDown")
            expect(panel.locator(".emoji-option").first).to_be_focused()
            expect(panel.locator(".emoji-option").first).to_have_attribute("value", "🚀")
            page.keyboard.press("Enter")
        else:
            rocket.click()
        mine = card.locator(".react-button")
        expect(mine).to_have_attribute("aria-pressed", "true")
        expect(mine).to_have_attribute("value", "🚀")
        expect(mine).to_contain_text("Rocket")
        expect(mine).to_be_focused()

        # Diego sees it arrive without reloading, named and counted, most given first.
        expect(_count(seen, "🚀")).to_have_text(total)
        expect(seen.locator('.reaction-count[data-emoji="🚀"]')).to_have_attribute("title", "Rocket")
        if total == "2":
            expect(seen.locator(".reaction-count").first).to_have_attribute("data-emoji", "🚀")
        expect(seen.locator(".react-button")).to_have_attribute("value", "👍")  # his own stays his like

        # Next time, the rocket is the first emoji offered.
        panel, search = _open_picker(card)
        _on_screen(page, panel, viewport)
        first = panel.locator(".emoji-option").first
        expect(first).to_have_attribute("value", "🚀")
        expect(panel.locator(".emoji-heading").first).to_have_text("Recently used")
        found = _serious(page)
        assert not found, "\n".join(found)
        DOCS.mkdir(parents=True, exist_ok=True)
        page.mouse.move(0, viewport["height"] // 2)  # no hover left on an emoji
        page.wait_for_timeout(300)
        page.screenshot(path=str(DOCS / f"emoji-picker-{width}.png"))

        search.press("Escape")
        expect(panel).to_be_hidden()
        expect(card.locator(".react-picker > summary")).to_be_focused()


def test_a_search_that_finds_nothing_says_so_and_arrows_walk_the_grid(sign_in) -> None:
    page = sign_in("sam@example.com")
    card = _card(page)
    panel, search = _open_picker(card, keyboard=True)
    search.fill("zzqx")
    expect(panel.locator("[data-emoji-status]")).to_have_text("No emoji found for “zzqx”.")
    expect(panel.locator(".emoji-option")).to_have_count(0)
    page.keyboard.press("Enter")  # nothing to pick: the bar's own button (his 🎉 of the demo) is not sent
    page.wait_for_timeout(300)
    expect(card.locator(".react-button")).to_have_attribute("value", "🎉")
    expect(card.locator(".react-button")).to_have_attribute("aria-pressed", "true")
    search.fill("")
    search.press("ArrowDown")
    options = panel.locator(".emoji-option")
    expect(options.nth(0)).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(options.nth(1)).to_be_focused()
    page.keyboard.press("ArrowDown")
    below = page.evaluate(
        "() => { const o = [...document.querySelectorAll('.picker-panel .emoji-option')];"
        " return o.indexOf(document.activeElement); }"
    )
    columns = page.evaluate(
        "() => { const o = [...document.querySelectorAll('.picker-panel .emoji-option')];"
        " return o.filter((b) => b.offsetTop === o[0].offsetTop).length; }"
    )
    assert below == 1 + columns, (below, columns)
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    expect(search).to_be_focused()
