"""Confidentiality (issue 12) in a real browser, on a phone (375 px): Camille raises a post in "Everyone" to
Confidential from the composer, and its card carries the badge and offers no Share; she creates a
confidential space; Priya, the guest, sees neither. A screenshot of the card goes to var/screenshots/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import conftest

pytestmark = pytest.mark.browser
PHONE = conftest.PHONE
SECRET = "Budget cuts, draft 3"


@pytest.fixture(scope="module")
def confidential_url():
    """A server of our own: these tests add posts and spaces to the demo data."""
    yield from conftest.live_server_url.__wrapped__()


@pytest.fixture
def sign_in(browser, confidential_url: str):
    yield from conftest.signed_in_pages(browser, confidential_url)


def _open_space(page, base: str, name: str) -> None:
    page.goto(base + "/spaces/")
    page.locator("main").get_by_role("link", name=name).first.click()
    page.wait_for_url(re.compile(r"/spaces/\d+/$"))


def test_a_confidential_post_card_at_375px(sign_in, confidential_url: str, screenshot_dir) -> None:
    page = sign_in("camille@example.com", PHONE)
    _open_space(page, confidential_url, "Everyone")
    page.locator("[data-composer] textarea").fill(SECRET)
    page.get_by_label("Confidentiality").select_option(label="Confidential")
    page.get_by_role("button", name="Post", exact=True).click()
    card = page.locator("article.post", has_text=SECRET).first
    expect(card).to_be_visible()
    page.reload()  # the server's own card, as every reader gets it
    card = page.locator("article.post", has_text=SECRET).first
    badge = card.locator(".badge-confidential")
    expect(badge).to_have_text(re.compile("Confidential"))
    expect(card.locator("[data-share]")).to_have_count(0)  # never shared out of its space
    # Nothing overflows the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = badge.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    card.scroll_into_view_if_needed()
    card.screenshot(path=str(screenshot_dir / "confidential-card-375.png"))

    # A confidential space: created with the label, shown in its header.
    page.goto(confidential_url + "/spaces/new/")
    page.get_by_label("Name").fill("Board")
    select = page.get_by_label("Confidentiality")
    select.select_option(select.locator("option", has_text=re.compile("^Confidential")).first.get_attribute("value"))
    page.get_by_role("button", name=re.compile("Create")).click()
    page.wait_for_url(re.compile(r"/spaces/\d+/$"))
    expect(page.locator(".space-head .badge-confidential")).to_have_text(re.compile("Confidential"))
    page.screenshot(path=str(screenshot_dir / "confidential-space-375.png"))

    # The guest sees neither.
    guest = sign_in("priya@client.example", PHONE)
    expect(guest.locator("main")).not_to_contain_text(SECRET)
    guest.goto(confidential_url + "/search/?q=Budget")
    expect(guest.locator("main")).not_to_contain_text(SECRET)
    expect(guest.locator("main")).not_to_contain_text("Board")


def test_owners_manage_the_labels(sign_in, confidential_url: str) -> None:
    page = sign_in("camille@example.com", PHONE)
    page.goto(confidential_url + "/admin/settings/")
    page.get_by_role("link", name="Manage the labels").click()
    page.wait_for_url(re.compile(r"/admin/settings/labels/$"))
    add = page.locator("form", has=page.get_by_role("button", name="Add the label"))
    add.get_by_label("Name").fill("Partners only")
    add.get_by_role("button", name="Add the label").click()
    expect(page.locator(".alert, [role=status]").filter(has_text="Label added.").first).to_be_visible()
    expect(page.locator("main")).to_contain_text("Partners only")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
