"""Push notifications on the settings page (issue 16): the device section and the kinds, on a phone.

Subscribing for real needs the browser's own push service (Google's, for Chromium), which the tests cannot
reach: alveole/notifications/tests/test_push.py plays the push service end to end instead. Here: what a person
sees and can do on the page, the way it reads at 375 px, and axe's findings."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import conftest

pytestmark = pytest.mark.browser
PHONE = conftest.PHONE


@pytest.fixture
def sign_in(browser, live_server_url: str):
    yield from conftest.signed_in_pages(browser, live_server_url)


def test_push_section_on_a_phone(sign_in, live_server_url: str, screenshot_dir) -> None:
    page = sign_in("lena@example.com", PHONE)
    page.context.grant_permissions(["notifications"], origin=live_server_url)
    page.goto(live_server_url + "/notifications/settings/#push")
    card = page.locator("#push")
    expect(card.get_by_role("heading", name="Push notifications")).to_be_visible()
    # The script found a browser able to receive pushes: the device controls replace the "cannot" sentence.
    expect(card.get_by_role("button", name="Turn on push on this device")).to_be_visible()
    expect(card.get_by_text("This browser cannot receive pushes")).to_be_hidden()
    expect(card.get_by_role("status")).to_have_text("Push is off for this device.", timeout=10_000)

    # Choosing what is pushed works without the device being subscribed (and without scripts).
    mentions = card.get_by_role("checkbox", name="Someone mentions me")
    expect(mentions).to_be_checked()
    mentions.uncheck()
    card.get_by_role("button", name="Save push settings").click()
    expect(page.get_by_text("Your push settings are saved.")).to_be_visible()
    expect(page.locator("#push").get_by_role("checkbox", name="Someone mentions me")).not_to_be_checked()
    expect(page.locator("#push").get_by_role("checkbox", name="Someone writes to me directly")).to_be_checked()
    expect(page.locator("#push").get_by_role("status")).to_have_text("Push is off for this device.")
    expect(page.locator("#push").get_by_role("button", name="Turn off push on this device")).to_be_hidden()

    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways at 375 px ({width} px)"
    page.locator("#push").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "push-settings-375.png"))
    assert conftest.serious_violations(page, "#push") == []

    # Turning push on with no push service reachable says why instead of pretending.
    page.locator("#push").get_by_role("button", name="Turn on push on this device").click()
    expect(page.locator("#push").get_by_role("status")).not_to_have_text("Push is off for this device.", timeout=15_000)
    expect(page.locator("#push").get_by_role("button", name="Turn on push on this device")).to_be_visible()


def test_the_service_worker_handlers_show_a_push(browser, live_server_url: str) -> None:
    """sw-push.js on its own, registered as a service worker: a push delivered by Chromium's DevTools (as its push
    service would) becomes a notification with the push's text and link."""
    context = browser.new_context()
    try:
        context.grant_permissions(["notifications"], origin=live_server_url)
        page = context.new_page()
        page.goto(live_server_url + "/accounts/login/")
        cdp = context.new_cdp_session(page)
        registrations: list[dict] = []
        cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
        cdp.send("ServiceWorker.enable")
        page.evaluate(
            """async () => {
                const scope = "/static/alveole/";
                const reg = await navigator.serviceWorker.register(scope + "sw-push.js", {scope});
                await new Promise((resolve) => {
                    const worker = reg.installing || reg.waiting || reg.active;
                    if (worker.state === "activated") return resolve();
                    worker.addEventListener("statechange", () => worker.state === "activated" && resolve());
                });
            }"""
        )
        page.wait_for_timeout(300)
        [registration_id] = {r["registrationId"] for r in registrations if r["scopeURL"].endswith("/static/alveole/")}
        message = '{"title": "Alvéole", "body": "New activity in Alvéole", "url": "/notifications/7/", "tag": "n-7"}'
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {"origin": live_server_url, "registrationId": registration_id, "data": message},
        )
        shown = page.evaluate(
            """async () => {
                const reg = await navigator.serviceWorker.getRegistration("/static/alveole/");
                for (let i = 0; i < 50; i++) {
                    const found = await reg.getNotifications();
                    const seen = found.map((n) => ({title: n.title, body: n.body, tag: n.tag, url: n.data.url}));
                    if (seen.length) return seen;
                    await new Promise((r) => setTimeout(r, 100));
                }
                return [];
            }"""
        )
        assert shown == [
            {"title": "Alvéole", "body": "New activity in Alvéole", "tag": "n-7", "url": "/notifications/7/"}
        ]
    finally:
        context.close()
