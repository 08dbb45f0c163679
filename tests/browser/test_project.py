"""The projects-and-decisions acceptance test: a project from start to close, in a real browser.

Camille creates a project with a deadline and a milestone, turns a post into a task assigned to
Lena, runs a poll that Camille, Lena and Diego vote on, closes it with an outcome, and finds the
decision in the space's log and on the organisation's key decisions page.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser import conftest

pytestmark = pytest.mark.browser

PASSWORD = "hive-demo-2026"  # alveole.shell.demo.DEMO_PASSWORD
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def project_server_url():
    yield from conftest.live_server_url.__wrapped__()


def _sign_in(browser, base: str, email: str, problems: list[str]):
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    page = context.new_page()
    page.on("pageerror", lambda exc: problems.append(f"{email}: {exc}"))
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/")
    return context, page


def _vote(page, base: str, space_url: str, option: str) -> None:
    page.goto(space_url)
    card = page.locator("article.post", has_text="Which launch date?").first
    card.get_by_role("radio", name=re.compile(f"^{option}")).check()
    card.get_by_role("button", name="Vote").click()
    expect(page.locator("article.post", has_text="Which launch date?").first.get_by_role(
        "button", name="Change my vote")).to_be_visible()  # fmt: skip


def test_a_project_from_start_to_decision(project_server_url: str, browser, screenshot_dir: Path) -> None:
    base = project_server_url
    problems: list[str] = []
    camille_ctx, camille = _sign_in(browser, base, "camille@example.com", problems)

    # A project space, open so that colleagues can vote and be assigned.
    camille.goto(base + "/spaces/new/")
    camille.get_by_label("Name", exact=True).fill("Launch 2027")
    camille.get_by_role("radio", name=re.compile("^Project")).check()
    camille.get_by_role("button", name=re.compile("Create")).click()
    camille.wait_for_url(re.compile(r"/spaces/\d+/$"))
    space_url = camille.url
    space_id = int(re.search(r"/spaces/(\d+)/", space_url).group(1))

    # Plan: a deadline and a milestone.
    camille.goto(f"{base}/spaces/{space_id}/plan/")
    deadline = date.today() + timedelta(days=60)
    camille.get_by_label("Start").fill(date.today().isoformat())
    camille.get_by_label("Deadline").fill(deadline.isoformat())
    camille.get_by_role("button", name="Save the plan").click()
    camille.get_by_role("textbox", name="Milestone").fill("Beta ready")
    camille.get_by_label("Date", exact=True).fill((date.today() + timedelta(days=30)).isoformat())
    camille.get_by_role("button", name="Add the milestone").click()
    expect(camille.get_by_text("Beta ready").first).to_be_visible()
    camille.screenshot(path=str(screenshot_dir / "project-plan-1280.png"), full_page=True)

    # A post becomes a task assigned to Lena.
    camille.goto(space_url)
    camille.get_by_label("Write a post").fill("Kick-off notes: we need a landing page")
    camille.get_by_role("button", name="Post", exact=True).click()
    card = camille.locator("article.post", has_text="Kick-off notes").first
    expect(card).to_be_visible()
    camille.reload()
    card = camille.locator("article.post", has_text="Kick-off notes").first
    card.locator("details.menu summary, [data-menu] summary").first.click()
    card.get_by_role("button", name="Make a task").click()
    camille.wait_for_url(re.compile(r"/tasks/\d+/$"))
    camille.get_by_text("Edit the task").click()
    camille.get_by_label("Assignees").select_option(label="Lena Fischer")
    camille.get_by_label("Due date").fill((date.today() + timedelta(days=14)).isoformat())
    camille.get_by_role("button", name="Save", exact=True).click()
    expect(camille.get_by_text("Lena Fischer").first).to_be_visible()

    # A poll with three voters.
    camille.goto(f"{base}/spaces/{space_id}/polls/new/")
    camille.get_by_role("textbox", name="Question").fill("Which launch date?")
    camille.get_by_role("textbox", name="Options").fill("March\nApril\nMay")
    closes = (datetime.now() + timedelta(days=3)).replace(second=0, microsecond=0)
    camille.get_by_label("Closes at").fill(closes.strftime("%Y-%m-%dT%H:%M"))
    camille.get_by_role("button", name="Post the poll").click()
    _vote(camille, base, space_url, "April")
    lena_ctx, lena = _sign_in(browser, base, "lena@example.com", problems)
    _vote(lena, base, space_url, "April")
    diego_ctx, diego = _sign_in(browser, base, "diego@example.com", problems)
    _vote(diego, base, space_url, "May")

    # Close it with an outcome: the decision is recorded.
    camille.goto(space_url)
    camille.locator("article.post", has_text="Which launch date?").first.get_by_role(
        "link", name="Close with an outcome"
    ).click()
    camille.get_by_label("Outcome").fill("We launch in April.")
    camille.get_by_role("button", name="Close and record the decision").click()

    camille.goto(f"{base}/spaces/{space_id}/decisions/")
    expect(camille.get_by_text("We launch in April.").first).to_be_visible()
    camille.screenshot(path=str(screenshot_dir / "project-decision-log-1280.png"), full_page=True)
    lena.goto(base + "/decisions/")
    expect(lena.get_by_text("We launch in April.").first).to_be_visible()
    lena.goto(base + "/tasks/")
    expect(lena.get_by_text("Kick-off notes").first).to_be_visible()
    lena.screenshot(path=str(screenshot_dir / "project-my-tasks-1280.png"), full_page=True)
    assert not problems, problems
    for context in (camille_ctx, lena_ctx, diego_ctx):
        context.close()
