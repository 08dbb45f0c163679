"""The audit page (issue 12): an owner filters the log and downloads the rows shown as CSV —
on a phone (375 px) and a desktop (1280 px). Screenshots go to docs/screenshots/."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import expect

from tests.browser import conftest

pytestmark = pytest.mark.browser

PASSWORD = "hive-demo-2026"  # alveole.shell.demo.DEMO_PASSWORD
VIEWPORTS = {"375": {"width": 375, "height": 800}, "1280": {"width": 1280, "height": 900}}
DOCS = conftest.ROOT / "docs" / "screenshots"


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_an_owner_filters_the_audit_log_and_downloads_it(browser, live_server_url: str, width: str) -> None:
    context = browser.new_context(viewport=VIEWPORTS[width], locale="en-GB", accept_downloads=True)
    problems: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.goto(live_server_url + "/accounts/login/")
        page.get_by_label("Email").fill("camille@example.com")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(live_server_url + "/")

        page.goto(live_server_url + "/admin/audit/")
        page.get_by_label("Action").select_option(label="signed in")
        page.get_by_role("button", name="Filter").click()
        rows = page.locator("tbody tr")
        expect(rows.first).to_contain_text("signed in")
        shown = rows.count()
        expect(page.get_by_role("link", name="Clear filters")).to_be_visible()
        violations = conftest.serious_violations(page)
        assert not violations, violations
        page.screenshot(path=str(DOCS / f"admin-audit-{width}.png"), full_page=True)

        with page.expect_download() as download:
            page.get_by_role("link", name="Download CSV").click()
        text = download.value.path().read_text(encoding="utf-8-sig")
        lines = list(csv.DictReader(io.StringIO(text)))
        assert len(lines) == shown and {line["action"] for line in lines} == {"login.success"}
        assert not problems, problems
    finally:
        context.close()
