"""The insights page (issue 14): its charts — SVG images drawn on the server — load at 375 and 1280 px
with no Content-Security-Policy complaint, the page passes axe, and a space's manager sees their space
only. Screenshots go to docs/screenshots/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import conftest

pytestmark = pytest.mark.browser

VIEWPORTS = {"375": conftest.PHONE, "1280": conftest.DESKTOP}
CHARTS = ("activity", "guests", "questions", "decisions", "tasks")


@pytest.fixture
def sign_in(browser, live_server_url: str):
    # Console errors fail the test: a style or script the policy refused is reported there.
    yield from conftest.signed_in_pages(browser, live_server_url, console_errors=True)


def _charts_loaded(page) -> list[dict]:
    page.wait_for_load_state("load")
    return page.eval_on_selector_all(
        "img[data-insights-chart]",
        "imgs => imgs.map(i => ({src: i.currentSrc, complete: i.complete, width: i.naturalWidth,"
        " shown: i.clientWidth}))",
    )


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_an_owner_reads_the_charts(sign_in, live_server_url: str, width: str) -> None:
    page = sign_in("camille@example.com", VIEWPORTS[width])
    if width == "375":  # the nav entry is in the menu on a phone
        page.locator("#me-menu summary").click()
        page.locator("#me-menu").get_by_role("link", name="Insights").click()
    else:
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Insights").click()
    page.wait_for_url(live_server_url + "/insights/")
    expect(page.get_by_role("heading", name="Insights", level=1)).to_be_visible()
    images = _charts_loaded(page)
    assert len(images) == len(CHARTS)
    for image in images:
        assert image["complete"] and image["width"] > 0, image
        assert image["shown"] <= VIEWPORTS[width]["width"], image  # it scales to the column
        assert ("size=narrow" in image["src"]) == (width == "375"), image
    for name in CHARTS:
        alt = page.locator(f'img[src^="/insights/charts/{name}.svg"]').get_attribute("alt")
        assert alt and len(alt) > 20
    # The figures behind a chart, for screen readers and anyone who prefers a table.
    page.get_by_text("Show the figures").first.click()
    expect(page.get_by_role("table").first).to_be_visible()
    violations = conftest.serious_violations(page)
    assert not violations, violations
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px"
    page.screenshot(path=str(conftest.DOCS / f"insights-{width}.png"), full_page=True)
    # A chart opened on its own is an SVG document under its own policy (styles inside, no script): the
    # fixture fails on any console error, so a refused style would show here.
    response = page.goto(live_server_url + "/insights/charts/activity.svg")
    assert response is not None and response.status == 200
    assert response.headers["content-type"] == "image/svg+xml" and "<script" not in response.text()
    assert page.locator("svg .legends").count() == 1


def test_a_manager_sees_their_space_and_a_guest_is_refused(sign_in, live_server_url: str) -> None:
    lena = sign_in("lena@example.com")
    lena.get_by_role("navigation", name="Main").get_by_role("link", name="Insights").click()
    options = lena.locator("select[name=space] option").all_inner_texts()
    assert options[1:] == ["Website redesign"], options
    assert all(image["width"] > 0 for image in _charts_loaded(lena))
    priya = sign_in("priya@client.example")
    assert priya.get_by_role("link", name="Insights").count() == 0
    response = priya.request.get(live_server_url + "/insights/")
    assert response.status == 403
