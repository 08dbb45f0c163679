"""Reports (issue 12, acceptance 3): a member reports a post, a manager hides it from the queue,
its author still sees it marked, another member does not — and loses it live. On a phone and
on a desktop, with no serious axe finding on the new pages."""

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
TEXT = "Selling my old bike, cheap"


@pytest.fixture(scope="module")
def reports_url():
    """A server of our own: these tests hide a post of the demo data's project."""
    yield from conftest.live_server_url.__wrapped__()


def _session(browser, base: str, email: str, problems: list[str], viewport=DESKTOP):
    context = browser.new_context(viewport=viewport, locale="en-GB")
    page = context.new_page()
    page.on("pageerror", lambda exc: problems.append(f"{email}: {exc}"))
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/")
    return context, page


def _open_project(page, base: str) -> str:
    page.goto(base + "/spaces/")
    page.locator("main").get_by_role("link", name="Website redesign").first.click()
    page.wait_for_url(re.compile(r"/spaces/\d+/$"))
    return page.url


def _card(page, text: str):
    return page.locator("article.post:not(:has(.shared))", has_text=text)


def _shoot(page, directory: Path, name: str) -> None:
    page.wait_for_timeout(300)
    page.screenshot(path=str(directory / f"reports-{name}.png"), full_page=True)


def test_report_hide_author_still_sees_it_marked_others_do_not(reports_url, browser, screenshot_dir) -> None:
    base = reports_url
    problems: list[str] = []
    found: list[str] = []

    # Diego writes something off-topic in the project.
    diego_ctx, diego = _session(browser, base, "diego@example.com", problems)
    project = _open_project(diego, base)
    diego.get_by_label("Write a post").fill(TEXT + " — message me")
    diego.get_by_role("button", name="Post", exact=True).click()
    expect(_card(diego, TEXT)).to_have_count(1)

    # Priya, on her phone, reports it from the post's menu.
    priya_ctx, priya = _session(browser, base, "priya@client.example", problems, PHONE)
    priya.goto(project)
    card = _card(priya, TEXT)
    card.locator("summary", has_text="More actions").click()
    card.get_by_role("link", name="Report").click()
    priya.wait_for_url(re.compile(r"/posts/\d+/report/"))
    expect(priya.get_by_role("heading", name="Report a post")).to_be_visible()
    found += conftest.serious_violations(priya)
    _shoot(priya, screenshot_dir, "form-375")
    priya.get_by_label("Off-topic for this space").check()
    priya.get_by_label("Anything the moderators should know").fill("Not about the website")
    priya.get_by_role("button", name="Send the report").click()
    priya.wait_for_url(project)
    expect(priya.get_by_text("The moderators will look at it")).to_be_visible()
    expect(_card(priya, TEXT)).to_have_count(1)

    # Lena manages the project: from its settings to the reports, and she hides it.
    for viewport in (PHONE, DESKTOP):
        lena_ctx, lena = _session(browser, base, "lena@example.com", problems, viewport)
        lena.goto(project + "settings/")
        lena.get_by_role("link", name="Open the queue").click()
        report = lena.locator("li.report", has_text=TEXT)
        expect(report).to_contain_text("Reported once")
        expect(report).to_contain_text("Off-topic for this space (1)")
        expect(report).to_contain_text("Not about the website")
        found += conftest.serious_violations(lena)
        width = viewport["width"]
        _shoot(lena, screenshot_dir, f"queue-{width}")
        scroll_width = lena.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, scroll_width  # nothing overflows sideways
        if viewport is DESKTOP:
            report.get_by_role("button", name="Hide").click()
            expect(lena.get_by_text("Hidden. Its author and the moderators still see it")).to_be_visible()
            expect(lena.locator("li.report", has_text=TEXT)).to_contain_text("Hidden by a moderator")
            lena.goto(project)
            expect(_card(lena, TEXT).locator(".badge", has_text="Hidden by a moderator")).to_be_visible()
        else:
            lena_ctx.close()

    # Priya's open page drops it live; so does a fresh load. Diego still sees it, marked.
    expect(_card(priya, TEXT)).to_have_count(0)
    priya.reload()
    expect(_card(priya, TEXT)).to_have_count(0)
    diego.reload()
    mark = _card(diego, TEXT).locator(".badge", has_text="Hidden by a moderator")
    expect(mark).to_be_visible()
    _shoot(diego, screenshot_dir, "author-1280")
    found += conftest.serious_violations(diego)
    for ctx in (diego_ctx, priya_ctx, lena_ctx):
        ctx.close()
    assert not found, found
    assert not problems, problems
