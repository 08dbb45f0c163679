"""The task board in a real browser: a card dragged to Done with the mouse in one context moves live in a
second one, without a reload; the keyboard path ("Move to…") does the same the other way round."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser import conftest
from tests.browser.test_live import _api, _mark_page, _same_page, _session, _space_id, _wait_for

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 800}
PASSWORD = "hive-demo-2026"  # alveole.shell.demo.DEMO_PASSWORD


@pytest.fixture(scope="module")
def board_url():
    yield from conftest.live_server_url.__wrapped__()


def _card(page, title: str):
    return page.locator("[data-board] [data-task]", has_text=title)


def _column(page, name: str):
    return page.locator("[data-board] [data-column]", has=page.get_by_role("heading", name=name, exact=True))


def _drag(page, card, column) -> None:
    """Press on the card's grip, travel in steps (as a hand would) and let go over the column."""
    grip = card.locator("[data-grip]").bounding_box()
    target = column.locator("[data-cards]").bounding_box()
    assert grip is not None and target is not None
    page.mouse.move(grip["x"] + grip["width"] / 2, grip["y"] + 12)
    page.mouse.down()
    page.mouse.move(target["x"] + target["width"] / 2, target["y"] + 10, steps=12)
    page.mouse.move(target["x"] + target["width"] / 2, target["y"] + target["height"] - 5, steps=4)
    page.mouse.up()


def _touch_drag(page, card, column) -> None:
    """A finger on the card's grip, moved to the column: touch events through the DevTools protocol, which
    Chromium turns into pointer events of type "touch", as a phone would."""
    grip = card.locator("[data-grip]").bounding_box()
    target = column.locator("[data-cards]").bounding_box()
    assert grip is not None and target is not None
    cdp = page.context.new_cdp_session(page)
    x, y = grip["x"] + grip["width"] / 2, grip["y"] + 12
    to_x, to_y = target["x"] + target["width"] / 2, target["y"] + target["height"] - 5
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for step in range(1, 13):
        point = {"x": x + (to_x - x) * step / 12, "y": y + (to_y - y) * step / 12}
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
        page.wait_for_timeout(16)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_drag_to_done_moves_live_and_the_keyboard_path_too(board_url: str, browser, screenshot_dir: Path) -> None:
    base = board_url
    problems: list[str] = []
    lena_ctx, lena = _session(browser, base, "lena@example.com", problems)
    diego_ctx, diego = _session(browser, base, "diego@example.com", problems)
    space = _space_id(lena, "Website redesign")
    soon = [(date.today() + timedelta(days=n)).isoformat() for n in (6, 12, 25)]
    for title, due in (("Home page copy", soon[0]), ("Contact form", None), ("Footer links", soon[2])):
        _api(lena, "POST", f"/spaces/{space}/tasks", {"title": title, "due_date": due})
    _api(lena, "POST", f"/spaces/{space}/milestones", {"title": "Beta", "date": soon[1]})
    board = f"{base}/spaces/{space}/board/"
    for page in (lena, diego):
        page.goto(board)
        _wait_for(page, "Boolean(window.alveoleLive && window.alveoleLive.connected)")
        _mark_page(page)
    expect(_column(diego, "To do").locator("[data-count]")).to_have_text("3")

    # Lena drags "Home page copy" to Done with the mouse.
    _drag(lena, _card(lena, "Home page copy"), _column(lena, "Done"))
    expect(_column(lena, "Done").locator("[data-task]", has_text="Home page copy")).to_be_visible()
    # Diego sees it arrive in Done, with the counts, without a reload.
    expect(_column(diego, "Done").locator("[data-task]", has_text="Home page copy")).to_be_visible(timeout=10_000)
    expect(_column(diego, "Done").locator("[data-count]")).to_have_text("1")
    expect(_column(diego, "To do").locator("[data-count]")).to_have_text("2")
    assert _same_page(diego)
    tasks = {t["title"]: t for t in _api(lena, "GET", f"/spaces/{space}/tasks")["items"]}
    assert tasks["Home page copy"]["status"] == "done"

    # Within a column: "Footer links" dragged above "Contact form" stays open and keeps its new place.
    _drag(lena, _card(lena, "Footer links"), _column(lena, "Doing"))
    expect(_column(diego, "Doing").locator("[data-task]", has_text="Footer links")).to_be_visible(timeout=10_000)

    # Diego uses the keyboard: "Move to…" on "Contact form", then Done.
    summary = _card(diego, "Contact form").locator("summary")
    summary.focus()
    diego.keyboard.press("Enter")
    done_button = _card(diego, "Contact form").get_by_role("button", name="Done", exact=True)
    expect(done_button).to_be_visible()
    done_button.focus()
    diego.keyboard.press("Enter")
    diego.wait_for_url(re.compile(re.escape(board) + r"#card-\d+$"))  # back at the card, for the next key
    expect(_column(diego, "Done").locator("[data-task]", has_text="Contact form")).to_be_visible()
    # Lena, who did not reload, sees it move too.
    expect(_column(lena, "Done").locator("[data-task]", has_text="Contact form")).to_be_visible(timeout=10_000)
    expect(_column(lena, "Done").locator("[data-count]")).to_have_text("2")
    assert _same_page(lena)
    status = _api(lena, "GET", f"/spaces/{space}/tasks")["items"]
    assert {t["title"]: t["status"] for t in status}["Contact form"] == "done"

    # Priya (the client, a guest of the space) on a touch screen drags "Footer links" back to To do by its grip.
    _wait_for(diego, "Boolean(window.alveoleLive && window.alveoleLive.connected)")
    _mark_page(diego)
    priya_ctx = browser.new_context(viewport={"width": 1024, "height": 900}, locale="en-GB", has_touch=True)
    priya = priya_ctx.new_page()
    priya.on("pageerror", lambda exc: problems.append(f"priya: {exc}"))
    priya.goto(base + "/accounts/login/")
    priya.get_by_label("Email").fill("priya@client.example")
    priya.get_by_label("Password").fill(PASSWORD)
    priya.get_by_role("button", name="Sign in").click()
    priya.wait_for_url(base + "/")
    priya.goto(board)
    _touch_drag(priya, _card(priya, "Footer links"), _column(priya, "To do"))
    expect(_column(priya, "To do").locator("[data-task]", has_text="Footer links")).to_be_visible()
    expect(_column(diego, "To do").locator("[data-task]", has_text="Footer links")).to_be_visible(timeout=10_000)
    assert _same_page(diego)
    priya_ctx.close()

    # Filters are plain GET parameters.
    lena.goto(board + "?due=none")
    expect(_card(lena, "Contact form")).to_be_visible()
    expect(_card(lena, "Home page copy")).to_have_count(0)

    lena.goto(board)
    lena.wait_for_timeout(400)
    lena.screenshot(path=str(screenshot_dir / "board-1280.png"), full_page=True)
    assert not conftest.serious_violations(lena), conftest.serious_violations(lena)
    lena.set_viewport_size(PHONE)
    lena.goto(board)
    lena.wait_for_timeout(400)
    lena.screenshot(path=str(screenshot_dir / "board-375.png"), full_page=True)
    wide = lena.evaluate(  # what sticks out, to say so when it fails (the tabs scroll on their own)
        "[...document.querySelectorAll('body *')]"
        ".filter(e => e.getBoundingClientRect().right > 380 && !e.closest('.tabs'))"
        ".slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"
    )
    assert lena.evaluate("document.documentElement.scrollWidth") <= 375, wide  # the board scrolls, not the page
    lena.goto(f"{base}/spaces/{space}/plan/")
    lena.wait_for_timeout(400)
    lena.screenshot(path=str(screenshot_dir / "timeline-375.png"), full_page=True)
    assert not conftest.serious_violations(lena), conftest.serious_violations(lena)

    for context in (lena_ctx, diego_ctx):
        context.close()
    assert not problems, problems
