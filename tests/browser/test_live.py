"""Live updates in a real browser: two people, two browser contexts, one server of our own.

Acceptance (issue 4): Diego posts in "Everyone" mentioning Lena; Lena's home feed shows the card
without a reload, her bell goes from 0 to 1, and the catch-up page lists the post under what
concerns her. Then: typing, a comment and a like arrive live; and a socket that was closed while
a post was published catches up on reconnection, showing the missed post exactly once.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser import conftest

pytestmark = pytest.mark.browser

PASSWORD = "hive-demo-2026"  # alveole.shell.demo.DEMO_PASSWORD
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 800}
NOTIFICATION_TIMEOUT = 15_000  # the job worker turns the mention into a notification


@pytest.fixture(scope="module")
def live_url():
    """A server of our own (fresh demo data), so the other journeys' feeds stay as they expect."""
    yield from conftest.live_server_url.__wrapped__()


def _session(browser, base: str, email: str, problems: list[str], viewport=DESKTOP):
    context = browser.new_context(viewport=viewport, locale="en-GB")
    page = context.new_page()
    page.on("console", lambda m: problems.append(f"{email}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(f"{email}: {exc}"))
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/")
    _wait_connected(page)
    return context, page


def _wait_for(page, expression: str, timeout: float = 10_000) -> None:
    """Poll an expression from outside (wait_for_function evaluates strings in the page, which the CSP refuses)."""
    waited = 0.0
    while not page.evaluate(expression):
        if waited >= timeout:
            raise AssertionError(f"Still false after {timeout / 1000:.0f} s: {expression}")
        page.wait_for_timeout(100)
        waited += 100


def _wait_connected(page, timeout: float = 10_000) -> None:
    _wait_for(page, "Boolean(window.alveoleLive && window.alveoleLive.connected)", timeout)


def _shoot(page, directory: Path, name: str) -> None:
    page.wait_for_timeout(400)
    page.screenshot(path=str(directory / f"live-{name}.png"), full_page=True)


def _mark_page(page) -> None:
    """Leave a mark on the document: it disappears if the page reloads."""
    page.evaluate("window.__sameDocument = true")


def _same_page(page) -> bool:
    return bool(page.evaluate("window.__sameDocument === true"))


def _api(page, method: str, path: str, data: dict | None = None) -> dict:
    """Call the JSON API from the page, with its session and CSRF token."""
    return page.evaluate(
        """async ([method, path, data]) => {
            const token = document.querySelector('input[name="csrfmiddlewaretoken"]')?.value
              || (document.cookie.match(/csrftoken=([^;]+)/) || [])[1] || "";
            const response = await fetch('/api/v1' + path, {
              method, credentials: 'same-origin',
              headers: {'Content-Type': 'application/json', 'X-CSRFToken': token, Accept: 'application/json'},
              body: data ? JSON.stringify(data) : undefined,
            });
            if (!response.ok) throw new Error(response.status + ' ' + await response.text());
            return response.status === 204 ? null : response.json();
        }""",
        [method, path, data],
    )


def _space_id(page, name: str) -> int:
    spaces = _api(page, "GET", "/spaces?limit=100")
    items = spaces["items"] if isinstance(spaces, dict) else spaces
    return next(s["id"] for s in items if s["name"] == name)


def test_a_post_arrives_live_with_its_notification_and_catch_up(live_url: str, browser, screenshot_dir: Path) -> None:
    base = live_url
    problems: list[str] = []
    lena_ctx, lena = _session(browser, base, "lena@example.com", problems)
    diego_ctx, diego = _session(browser, base, "diego@example.com", problems)
    # The demo already told Lena things (added to "Website redesign", a reply, a reaction): she reads them first.
    bell = lena.locator("[data-bell]")
    expect(bell).to_have_attribute("aria-label", re.compile(r"Notifications, \d+ unread"), timeout=NOTIFICATION_TIMEOUT)
    bell.click()
    lena.wait_for_url(base + "/notifications/")
    expect(lena.get_by_role("link", name=re.compile("Camille Durand added you to Website redesign"))).to_be_visible()
    lena.get_by_role("button", name="Mark all as read").click()
    expect(lena.get_by_text("All notifications are marked as read.")).to_be_visible()
    lena.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    lena.wait_for_url(base + "/")
    _wait_connected(lena)
    expect(bell).to_have_attribute("aria-label", "Notifications")
    expect(lena.locator("[data-bell-count]")).to_be_hidden()
    _mark_page(lena)

    # --- Diego posts in "Everyone", mentioning Lena -----------------------------------------------
    diego.get_by_role("navigation", name="Main").get_by_role("link", name="Everyone").click()
    diego.wait_for_url(re.compile(r"/spaces/\d+/$"))
    box = diego.get_by_label("Write a post")
    box.fill("Lunch at noon to plan the launch? @lena.fischer ")
    box.press("Escape")
    diego.get_by_role("button", name="Post", exact=True).click()
    expect(diego.locator("article.post", has_text="Lunch at noon")).to_be_visible()

    # --- Lena's feed shows it without a reload; her bell counts it -----------------------------------
    card = lena.locator("article.post", has_text="Lunch at noon")
    expect(card).to_be_visible()
    expect(card).to_have_count(1)
    expect(card.get_by_role("link", name="Diego Álvarez").first).to_be_visible()
    expect(lena.locator("[data-live-status]")).to_have_text("New post from Diego Álvarez")
    expect(lena.locator("[data-bell-count]")).to_have_text("1", timeout=NOTIFICATION_TIMEOUT)
    expect(bell).to_have_attribute("aria-label", "Notifications, 1 unread")
    assert _same_page(lena) and lena.url == base + "/"
    _shoot(lena, screenshot_dir, "home-arrived-1280")

    # --- typing, a comment and a like arrive live too ------------------------------------------------
    card.get_by_role("link", name="Comment").click()
    expect(card.get_by_label("Write a comment")).to_be_focused()
    card.get_by_label("Write a comment").fill("I'm drafting a reply")  # Lena's unsent text must survive
    diego_card = diego.locator("article.post", has_text="Lunch at noon")
    diego_card.get_by_role("link", name="Comment").click()
    diego_box = diego_card.get_by_label("Write a comment")
    diego_box.press_sequentially("Room 3", delay=30)
    expect(card.locator("[data-typing]")).to_have_text("Diego Álvarez is typing…")
    diego_card.get_by_role("button", name="Comment", exact=True).click()
    expect(card.locator(".comment", has_text="Room 3")).to_be_visible()
    expect(card.locator("[data-comment-count]")).to_have_text("1 comment")
    expect(card.locator("[data-typing]")).to_be_hidden()
    expect(card.get_by_label("Write a comment")).to_have_value("I'm drafting a reply")
    diego_card.get_by_role("button", name="Like").click()
    expect(card.locator(".reaction-summary")).to_contain_text("1")
    expect(card.locator(".react-button")).to_have_attribute("aria-pressed", "false")  # Diego's like, not Lena's
    assert _same_page(lena)

    # --- the catch-up page lists the post under what concerns her ------------------------------------
    lena.get_by_role("navigation", name="Main").get_by_role("link", name="Catch-up").click()
    lena.wait_for_url(base + "/catch-up/")
    for_me = lena.locator("[data-catchup-for-me]")
    expect(for_me.get_by_role("link", name=re.compile("Lunch at noon"))).to_be_visible()
    expect(for_me.get_by_role("link", name=re.compile("Diego Álvarez mentioned you"))).to_be_visible()
    _shoot(lena, screenshot_dir, "catch-up-1280")
    lena.set_viewport_size(PHONE)
    _shoot(lena, screenshot_dir, "catch-up-375")
    lena.goto(base + "/")
    _wait_connected(lena)
    _shoot(lena, screenshot_dir, "home-375")
    lena.goto(base + "/notifications/")
    _shoot(lena, screenshot_dir, "notifications-375")
    lena.set_viewport_size(DESKTOP)
    _shoot(lena, screenshot_dir, "notifications-1280")

    # Opening the notification marks it read and leads to the post; the bell follows.
    lena.get_by_role("link", name=re.compile("mentioned you")).first.click()
    lena.wait_for_url(re.compile(r"/posts/\d+/"))
    expect(lena.locator("[data-bell-count]")).to_be_hidden()
    expect(lena.locator("[data-bell]")).to_have_attribute("aria-label", "Notifications")

    # Catch-up "Mark all as read" empties the page.
    lena.goto(base + "/catch-up/")
    lena.get_by_role("button", name="Mark all as read").click()
    expect(lena.get_by_role("heading", name="You're all caught up")).to_be_visible()
    _shoot(lena, screenshot_dir, "caught-up-1280")

    lena.goto(base + "/notifications/settings/")
    _shoot(lena, screenshot_dir, "settings-1280")
    lena.set_viewport_size(PHONE)
    _shoot(lena, screenshot_dir, "settings-375")

    assert not problems, problems
    lena_ctx.close()
    diego_ctx.close()


def test_a_post_published_while_disconnected_appears_once_after_reconnecting(
    live_url: str, browser, screenshot_dir: Path
) -> None:
    base = live_url
    problems: list[str] = []
    lena_ctx, lena = _session(browser, base, "lena@example.com", problems)
    diego_ctx, diego = _session(browser, base, "diego@example.com", problems)
    everyone = _space_id(diego, "Everyone")
    lena.goto(f"{base}/spaces/{everyone}/")
    _wait_connected(lena)
    _mark_page(lena)
    before = lena.evaluate("window.alveoleLive.seq")

    lena.evaluate("window.alveoleLive.disconnect()")
    _wait_for(lena, "!window.alveoleLive.connected")
    _api(diego, "POST", "/posts", {"space_id": everyone, "body": "Posted while Lena was offline"})
    lena.wait_for_timeout(1000)
    missed = lena.locator("article.post", has_text="Posted while Lena was offline")
    expect(missed).to_have_count(0)  # the socket is closed: nothing arrives

    lena.evaluate("window.alveoleLive.reconnect()")
    _wait_connected(lena)
    expect(missed).to_have_count(1)
    assert lena.evaluate("window.alveoleLive.seq") > before
    assert _same_page(lena)

    # A later live post still arrives, and the missed one is not repeated.
    _api(diego, "POST", "/posts", {"space_id": everyone, "body": "And one more after the reconnection"})
    expect(lena.locator("article.post", has_text="And one more after the reconnection")).to_have_count(1)
    expect(missed).to_have_count(1)

    # Edits and deletions show too.
    later = lena.locator("article.post", has_text="And one more after the reconnection")
    later_id = int(later.get_attribute("data-post-id"))
    _api(diego, "PATCH", f"/posts/{later_id}", {"body": "And one more, **edited**"})
    expect(lena.locator(f'article.post[data-post-id="{later_id}"] .post-body strong')).to_have_text("edited")
    missed_id = int(missed.get_attribute("data-post-id"))
    _api(diego, "DELETE", f"/posts/{missed_id}")
    expect(missed).to_have_count(0)
    expect(lena.get_by_text("The post is deleted.")).to_be_visible()
    _api(diego, "POST", "/posts", {"space_id": everyone, "body": "Posted while Lena was offline, again"})
    missed = lena.locator("article.post", has_text="Posted while Lena was offline, again")
    expect(missed).to_have_count(1)

    # A reload resumes from the number kept in sessionStorage: nothing is shown twice.
    lena.reload()
    _wait_connected(lena)
    lena.wait_for_timeout(800)
    expect(missed).to_have_count(1)
    _shoot(lena, screenshot_dir, "space-reconnected-1280")

    # The network goes away (Chromium keeps an open socket when offline, so it is dropped too):
    # reconnection attempts fail with a growing delay, then succeed as soon as the network is back.
    lena_ctx.set_offline(True)
    lena.evaluate("window.alveoleLive.drop()")
    _wait_for(lena, "!window.alveoleLive.connected")
    lena.wait_for_timeout(2500)  # a failed attempt or two
    _api(diego, "POST", "/posts", {"space_id": everyone, "body": "Posted during the network outage"})
    lena_ctx.set_offline(False)
    _wait_connected(lena, timeout=40_000)
    expect(lena.locator("article.post", has_text="Posted during the network outage")).to_have_count(1)

    assert not [p for p in problems if "WebSocket" not in p and "ERR_INTERNET_DISCONNECTED" not in p], problems
    lena_ctx.close()
    diego_ctx.close()
