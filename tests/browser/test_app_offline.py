"""The installable app (issue 16, acceptance 3): the manifest and the service worker register, the page
goes offline and shows the feed it kept with a clear offline state, a post written offline waits in
the outbox, and once back online it appears once — even when the outbox is sent twice (the idempotency
key). Diego (a member of "Website redesign", no confidential space) is on his phone, 375 px wide.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser import conftest

pytestmark = pytest.mark.browser
PASSWORD, PHONE, DOCS = conftest.PASSWORD, conftest.PHONE, conftest.DOCS
BODY = "Written on the train, sent from the tunnel"


@dataclass
class Server:
    url: str
    database: Path


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    """A server of our own and its SQLite file, to count posts in the database itself (as in
    test_account_pages: conftest makes its var directory with tempfile.mkdtemp, inside ours)."""
    holder = Path(tempfile.mkdtemp(prefix="alveole-offline-"))
    previous, tempfile.tempdir = tempfile.tempdir, str(holder)
    try:
        servers = conftest.live_server_url.__wrapped__()
        url = next(servers)
    finally:
        tempfile.tempdir = previous
    (var_dir,) = holder.glob("alveole-browser-*")
    try:
        yield Server(url, var_dir / "alveole.sqlite3")
    finally:
        servers.close()
        shutil.rmtree(holder, ignore_errors=True)


def _posts_with(database: Path, body: str) -> int:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        return db.execute("SELECT COUNT(*) FROM feed_post WHERE body = ?", (body,)).fetchone()[0]


def _poll(page, script: str, what: str, timeout: float = 15_000) -> None:
    """Polled from outside: wait_for_function evaluates a string in the page, which the CSP refuses."""
    waited = 0.0
    while not page.evaluate(script):
        assert waited < timeout, what
        page.wait_for_timeout(100)
        waited += 100


def test_installs_reads_offline_and_sends_the_queued_post_once(browser, server: Server, screenshot_dir) -> None:
    base = server.url
    context = browser.new_context(viewport=PHONE, locale="en-GB", service_workers="allow")
    problems: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill("diego@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/")

    # The manifest is linked, valid JSON, and says how to install.
    href = page.locator('link[rel="manifest"]').get_attribute("href")
    answer = context.request.get(base + href)
    assert answer.ok and answer.headers["content-type"] == "application/manifest+json"
    manifest = json.loads(answer.text())
    assert manifest["name"] == "Alvéole" and manifest["start_url"] == "/" and manifest["display"] == "standalone"
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in manifest["icons"]}
    for icon in manifest["icons"]:
        assert context.request.get(base + icon["src"]).ok, icon["src"]

    # The service worker registers and takes control of the page.
    _poll(page, "Boolean(navigator.serviceWorker.controller)", "the service worker does not control the page")
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL") == base + "/sw.js"

    # The feed pages visited through the worker are kept: the home feed and the project's.
    space_href = page.locator("a[href^='/spaces/']", has_text="Website redesign").first.get_attribute("href")
    assert re.fullmatch(r"/spaces/\d+/", space_href or ""), space_href
    space_url = base + space_href
    page.goto(space_url)
    expect(page.locator("article.post").first).to_be_visible()
    _poll(
        page,
        f"caches.open('alveole-pages').then(c => c.match({json.dumps(space_url)}, {{ignoreVary: true}})).then(Boolean)",
        "the space's feed was not kept",
    )

    # Offline: the kept feed shows, with the offline state said.
    context.set_offline(True)
    page.reload()
    banner = page.locator("[data-offline-banner]")
    expect(banner).to_have_attribute("role", "status")
    expect(banner).to_contain_text("You are offline")
    expect(page.locator("article.post").first).to_be_visible()
    expect(page.get_by_role("heading", name="Website redesign")).to_be_visible()

    # A page never visited is not there: the worker says so instead of the browser's error.
    page.goto(base + "/people/")
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "offline-page-375.png"))
    page.goto(space_url)

    # A post written offline waits, said as such; nothing reached the server.
    page.get_by_label("Write a post").fill(BODY)
    page.get_by_role("button", name="Post", exact=True).click()
    outbox = page.locator("[data-outbox]")
    expect(outbox).to_be_visible()
    expect(outbox).to_contain_text(BODY)
    expect(outbox).to_contain_text("Will be sent when you are back online")
    expect(page.get_by_label("Write a post")).to_have_value("")
    page.wait_for_timeout(300)
    page.screenshot(path=str(DOCS / "offline-375.png"), full_page=False)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(screenshot_dir / "offline-top-375.png"), full_page=False)
    # The offline state and the outbox (the composer's textarea has a finding of its own, older than these).
    assert not conftest.serious_violations(page, "[data-offline-banner]")
    assert not conftest.serious_violations(page, "[data-outbox]")
    assert _posts_with(server.database, BODY) == 0
    queued = page.evaluate("localStorage.getItem('alveole-outbox')")
    assert BODY in queued

    # Back online: the outbox goes, the post appears once.
    context.set_offline(False)
    cards = page.locator("article.post", has_text=BODY)
    expect(cards).to_have_count(1)
    expect(outbox).to_be_hidden()
    expect(banner).not_to_contain_text("You are offline")
    assert _posts_with(server.database, BODY) == 1

    # The same outbox sent a second time (another tab, an answer lost on the way): still one post.
    page.evaluate(f"localStorage.setItem('alveole-outbox', {json.dumps(queued)})")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    _poll(page, "localStorage.getItem('alveole-outbox') === '[]'", "the second flush did not finish")
    page.reload()
    expect(page.locator("article.post", has_text=BODY)).to_have_count(1)
    assert _posts_with(server.database, BODY) == 1
    context.close()
    assert not problems, problems
