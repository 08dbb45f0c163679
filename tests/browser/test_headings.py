"""Headings go down one level at a time (issue 15): axe's "heading-order" rule on the daily pages.

A screen reader user moves through a page by its headings; a card titled h3 straight under the
page's h1 says that a level is missing. Each page is checked at phone and desktop widths, with
content that brings out the cards (a poll, a proposal, a decision, a task, comments).
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser import conftest

pytestmark = pytest.mark.browser
PASSWORD, DESKTOP, PHONE, DOCS = conftest.PASSWORD, conftest.DESKTOP, conftest.PHONE, conftest.DOCS


@pytest.fixture(scope="module")
def headings_url():
    """A server of our own: the test adds a poll, a proposal, a decision and a task to the demo."""
    yield from conftest.live_server_url.__wrapped__()


@pytest.fixture
def sign_in(browser, headings_url: str):
    yield from conftest.signed_in_pages(browser, headings_url)


def _heading_order(page) -> list[str]:
    results = Axe().run(page, options={"runOnly": {"type": "rule", "values": ["heading-order"]}})
    return [
        f"{page.url} {v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
    ]


def _project_content(page, base: str) -> dict[str, str]:
    """Lena's project space with a poll, a proposal closed into a decision, and a task."""
    page.goto(base + "/spaces/")
    page.locator("main").get_by_role("link", name="Website redesign").first.click()
    page.wait_for_url(re.compile(r"/spaces/\d+/$"))
    space_url = page.url
    back_in_space = re.compile(re.escape(space_url) + r"(#.*)?$")

    page.goto(space_url + "polls/new/")
    page.get_by_label("Question").fill("Which colour for the buttons?")
    page.get_by_role("textbox", name="Options").fill("Honey\nSlate")
    page.get_by_label("Closes at").fill("2030-01-15T12:00")
    page.get_by_role("button", name="Post the poll").click()
    page.wait_for_url(back_in_space)

    statement = "We launch the new site in March."
    page.goto(space_url + "proposals/new/")
    page.get_by_role("textbox", name="Proposal").fill(statement)
    page.get_by_label("Closes at").fill("2030-01-15T12:00")
    page.get_by_role("button", name="Post the proposal").click()
    page.wait_for_url(back_in_space)
    page.locator("article.post", has_text=statement).first.get_by_role("link", name="Close with an outcome").click()
    page.get_by_label("Outcome").fill("Agreed: March it is.")
    page.get_by_role("button", name="Close and record the decision").click()
    page.wait_for_url(re.compile(r"/decisions/\d+/$"))
    decision_url = page.url

    page.goto(space_url + "tasks/")
    page.get_by_role("heading", name="New task").click()
    page.get_by_label("Title").fill("Choose the fonts")
    page.get_by_role("button", name="Create the task").click()
    expect(page.locator(".task-list")).to_contain_text("Choose the fonts")

    page.goto(space_url)
    post_url = (
        page.locator("article.post", has_text="First mock-ups").first.locator(".post-when a").get_attribute("href")
    )
    assert post_url
    return {"space": space_url, "decision": decision_url, "post": base + post_url}


def test_no_heading_skips_a_level_on_the_daily_pages(sign_in, headings_url: str) -> None:
    base = headings_url
    urls = _project_content(sign_in("lena@example.com"), base)
    pages = [
        base + "/",
        urls["space"],
        urls["post"],
        base + "/catch-up/",
        base + "/notifications/",
        base + "/people/",
        urls["space"] + "plan/",
        urls["space"] + "tasks/",
        urls["space"] + "decisions/",
        base + "/decisions/",
        urls["decision"],
    ]
    found: list[str] = []
    for viewport in (PHONE, DESKTOP):
        page = sign_in("lena@example.com", viewport)
        for url in pages:
            page.goto(url)
            found += _heading_order(page)
        # Comments opened inside a card bring their own heading, on a page whose only other one is h1.
        page.goto(base + "/topics/design/")
        card = page.locator("article.post", has_text="First mock-ups").first
        page.wait_for_load_state("networkidle")  # the script opens the comments in place once loaded
        card.locator("[data-comments-toggle]").click()
        expect(card.locator(".comments")).to_be_visible()
        assert "/topics/design/" in page.url
        found += _heading_order(page)
        # The owner's home page carries the first steps; the guest's, their one space.
        for email in ("camille@example.com", "priya@client.example"):
            other = sign_in(email, viewport)
            found += _heading_order(other)
    assert not found, "\n".join(found)
