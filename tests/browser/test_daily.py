"""The daily experience (issue 15): what a member meets every day, on a phone and on a desktop.

Each test starts from the demo organisation on a server of this module's own, signs in as the
person who would notice the problem, and checks what they see: where things are on screen, what
the words say. Screenshots of the pages fixed here go to docs/screenshots/ (375 and 1280 px).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import conftest

pytestmark = pytest.mark.browser
PASSWORD, DESKTOP, PHONE, DOCS = conftest.PASSWORD, conftest.DESKTOP, conftest.PHONE, conftest.DOCS


@pytest.fixture(scope="module")
def daily_url():
    """A server of our own: these tests add posts, comments and tasks to the demo data."""
    yield from conftest.live_server_url.__wrapped__()


@pytest.fixture
def sign_in(browser, daily_url: str):
    yield from conftest.signed_in_pages(browser, daily_url)


def _shoot(page, name: str) -> None:
    """A screenshot for the README: the visible screen (a full page of a long feed is too heavy)."""
    DOCS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(300)
    page.screenshot(path=str(DOCS / f"{name}.png"))


def _card(page, text: str):
    return page.locator("article.post:not(:has(.shared))", has_text=text).first


def _open_space(page, base: str, name: str) -> str:
    page.goto(base + "/spaces/")
    page.locator("main").get_by_role("link", name=name).first.click()
    page.wait_for_url(re.compile(r"/spaces/\d+/$"))
    return page.url


def _topbar_bottom(page) -> float:
    box = page.locator(".topbar").bounding_box()
    assert box is not None
    return box["y"] + box["height"]


# --- 1. the reaction picker on a phone ----------------------------------------------------------


def test_reaction_picker_opens_on_screen_on_a_phone(sign_in) -> None:
    page = sign_in("lena@example.com", PHONE)
    card = _card(page, "Welcome to")
    card.get_by_role("button", name="Choose a reaction").or_(card.locator(".react-picker > summary")).first.click()
    panel = card.locator(".picker-panel")
    expect(panel).to_be_visible()
    box = panel.bounding_box()
    assert box is not None
    assert box["y"] >= _topbar_bottom(page), f"the picker opens behind the top bar: {box}"
    assert box["y"] + box["height"] <= PHONE["height"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    love = panel.get_by_role("button", name="Love", exact=True)  # not "Love-you gesture" of the full list
    love.click()
    expect(card.locator(".react-button")).to_have_attribute("aria-pressed", "true")


# --- 3. replies are indented --------------------------------------------------------------------


def test_replies_are_indented_under_their_comment(sign_in, daily_url: str) -> None:
    for viewport, min_indent in ((DESKTOP, 24), (PHONE, 12)):
        page = sign_in("lena@example.com", viewport)
        card = _card(page, "First mock-ups")
        card.get_by_role("link", name=re.compile("comment", re.I)).first.click()
        comment = card.locator(".comment", has_text="Could the logo").first
        expect(comment).to_be_visible()
        if not card.locator(".replies .comment").count():
            card.locator(".reply > summary").first.click()
            card.get_by_label("Reply to Priya Nair").fill("Yes, I will make it larger.")
            card.get_by_role("button", name="Reply", exact=True).click()
        reply = card.locator(".replies .comment", has_text="make it larger").first
        expect(reply).to_be_visible()
        top, under = comment.bounding_box(), reply.bounding_box()
        assert top and under
        assert under["x"] - top["x"] >= min_indent, f"the reply is not indented: {top} {under}"
        name = "post-replies-1280" if viewport is DESKTOP else "post-replies-375"
        reply.scroll_into_view_if_needed()
        _shoot(page, name)


# --- 10. progress bars ------------------------------------------------------------------------------


def _empty_part_is_light(page, bar) -> None:
    """The empty end of a bar is drawn in a light grey in the light theme, never near-black."""
    from io import BytesIO

    from PIL import Image

    bar.scroll_into_view_if_needed()
    image = Image.open(BytesIO(bar.screenshot())).convert("RGB")
    r, g, b = image.getpixel((image.width - 4, image.height // 2))
    assert (r + g + b) / 3 > 170, f"the empty part of the bar is dark: {(r, g, b)}"


def _tasks_done_line(page) -> str:
    return page.locator(".project-progress label").inner_text()


def test_project_progress_bar_and_counts(sign_in, daily_url: str) -> None:
    page = sign_in("lena@example.com")
    space_url = _open_space(page, daily_url, "Website redesign")
    page.goto(space_url + "tasks/")
    for title in ("Choose the fonts", "Write the home page copy"):
        page.get_by_role("heading", name="New task").click()
        page.get_by_label("Title").fill(title)
        page.get_by_role("button", name="Create the task").click()
        expect(page.locator(".task-list")).to_contain_text(title)
        page.goto(space_url + "tasks/")
    total = page.locator(".task-list > li").count()
    assert f"0 of {total} tasks done" == _tasks_done_line(page)
    _empty_part_is_light(page, page.locator(".project-progress progress"))
    page.goto(space_url + "plan/")
    assert _tasks_done_line(page) == f"0 of {total} tasks done"
    expect(page.locator("#progress-title + p")).to_contain_text(f"0 of {total} tasks done")
    _shoot(page, "project-plan-1280")


# --- 7. closing a proposal ----------------------------------------------------------------------


def test_closing_a_proposal_shows_words_and_the_blockers_reason(sign_in, daily_url: str) -> None:
    statement = "We move the launch to March."
    lena = sign_in("lena@example.com")
    space_url = _open_space(lena, daily_url, "Website redesign")
    lena.goto(space_url + "proposals/new/")
    lena.get_by_role("textbox", name="Proposal").fill(statement)
    lena.get_by_label("Closes at").fill("2030-01-15T12:00")
    lena.get_by_role("button", name="Post the proposal").click()

    for email, answer, reason in (
        ("diego@example.com", "Block", "The client signed for February."),
        ("camille@example.com", "Agree", ""),
    ):
        voter = sign_in(email)
        voter.goto(space_url)
        card = voter.locator("article.post", has_text=statement).first
        card.get_by_label(answer, exact=True).check()
        if reason:
            card.get_by_label(re.compile("^Reason")).fill(reason)
        card.get_by_role("button", name="Answer", exact=True).click()
        expect(voter.locator("article.post", has_text=statement).first).to_contain_text("Your answer")

    for viewport, name in ((PHONE, "proposal-close-375"), (DESKTOP, "proposal-close-1280")):
        page = sign_in("lena@example.com", viewport)
        page.goto(space_url)
        page.locator("article.post", has_text=statement).first.get_by_role("link", name="Close with an outcome").click()
        main = page.locator("main")
        expect(main).to_contain_text("Agree — 1 person")
        expect(main).to_contain_text("Block — 1 person")
        expect(main).to_contain_text("Disagree — 0 people")
        expect(main).not_to_contain_text("agree — 1")
        expect(main.locator(".reasons")).to_contain_text("Diego Álvarez — Block: The client signed for February.")
        _shoot(page, name)
    page.get_by_label("Outcome").fill("Blocked: the launch stays in February.")
    page.get_by_role("button", name="Close and record the decision").click()
    page.wait_for_url(re.compile(r"/decisions/\d+/$"))
    _empty_part_is_light(page, page.locator("main progress").nth(1))


# --- 5. phone navigation ------------------------------------------------------------------------


def test_phone_navigation_reaches_every_section_and_new_writes_a_post_here(sign_in, daily_url: str) -> None:
    page = sign_in("lena@example.com", PHONE)
    bar = page.get_by_role("navigation", name="Main (mobile)")
    # Every section is at most two taps away: the bottom bar, or "Me" then the menu.
    for section, path in (
        ("Decisions", "/decisions/"),
        ("Spaces", "/spaces/"),
        ("Topics", "/topics/"),
        ("People", "/people/"),
    ):
        page.goto(daily_url + "/")
        bar.get_by_role("link", name="Me", exact=True).click()
        link = page.locator("#me-menu").get_by_role("link", name=section, exact=True)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box and box["y"] >= _topbar_bottom(page) and box["y"] + box["height"] <= PHONE["height"]
        link.click()
        page.wait_for_url(daily_url + path)
    _shoot(page, "people-375")

    # "+" writes a post in the space one is looking at.
    space_url = _open_space(page, daily_url, "Website redesign")
    bar.get_by_role("link", name="New post").click()
    page.wait_for_url(re.compile(r"/posts/new/\?space=\d+$"))
    expect(page.get_by_label("Post to")).to_have_value(space_url.rstrip("/").rsplit("/", 1)[1])
    page.get_by_label("Write a post").fill("Posted from my phone.")
    page.get_by_role("button", name="Post", exact=True).click()
    page.wait_for_url(space_url)
    expect(_card(page, "Posted from my phone.")).to_be_visible()

    # The space's tabs say that they scroll, and the current one is on screen.
    tabs = page.get_by_role("navigation", name="Space sections")
    expect(tabs).to_have_attribute("data-more", "right")
    _shoot(page, "space-375")
    tabs.evaluate("el => el.scrollTo({left: el.scrollWidth})")
    expect(tabs).to_have_attribute("data-more", "left")
    page.goto(space_url + "settings/")
    current = tabs.locator("[aria-current=page]")
    expect(current).to_have_text(re.compile("Settings"))
    box = current.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box


# --- 6. task forms --------------------------------------------------------------------------------


def test_task_form_has_a_real_date_field_on_a_phone(sign_in, daily_url: str) -> None:
    page = sign_in("lena@example.com", PHONE)
    space_url = _open_space(page, daily_url, "Website redesign")
    page.goto(space_url + "tasks/")
    page.get_by_role("heading", name="New task").click()
    due = page.get_by_label("Due date")
    expect(due).to_be_visible()
    box = due.bounding_box()
    title_box = page.get_by_label("Title").bounding_box()
    assert box and title_box
    assert box["height"] >= 40, f"the date field is too small to tap: {box}"
    assert box["width"] >= 160
    assert due.evaluate("el => getComputedStyle(el).borderTopWidth") == "1px"
    due.scroll_into_view_if_needed()
    _shoot(page, "tasks-new-375")


def test_make_a_task_titles_it_with_the_first_line_or_the_selection(sign_in, daily_url: str) -> None:
    page = sign_in("lena@example.com")
    space_url = _open_space(page, daily_url, "Website redesign")
    box = page.get_by_label("Write a post")
    box.fill("Order the printed flyers\n\nThe printer needs the final PDF by Friday, in CMYK.")
    page.get_by_role("button", name="Post", exact=True).click()
    card = _card(page, "Order the printed flyers")
    expect(card).to_be_visible()
    card.locator(".post-menu > summary").click()
    card.get_by_role("button", name="Make a task").click()
    page.wait_for_url(re.compile(r"/tasks/\d+/$"))
    expect(page.locator("#task-title")).to_have_text("Order the printed flyers")

    page.goto(space_url)
    card = _card(page, "Order the printed flyers")
    words = card.locator(".prose p", has_text="The printer needs")
    words.evaluate(
        """p => { const range = document.createRange(); const text = p.firstChild;
                  range.setStart(text, 4); range.setEnd(text, 'The printer needs the final PDF'.length);
                  const s = getSelection(); s.removeAllRanges(); s.addRange(range); }"""
    )
    card.locator(".post-menu > summary").click()
    card.get_by_role("button", name="Make a task").click()
    page.wait_for_url(re.compile(r"/tasks/\d+/$"))
    expect(page.locator("#task-title")).to_have_text("printer needs the final PDF")
    _shoot(page, "task-1280")


# --- 11. keyboard focus on "Attach files" --------------------------------------------------------


def test_keyboard_focus_on_attach_files_is_visible(sign_in) -> None:
    page = sign_in("lena@example.com")
    page.get_by_label("Write a post").focus()
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('[data-file-input]')"):
            break
    else:
        pytest.fail("Tab never reaches the file input")
    label = page.locator(".composer-files label")
    assert label.evaluate("el => getComputedStyle(el).outlineStyle") == "solid"
    assert label.evaluate("el => parseFloat(getComputedStyle(el).outlineWidth)") >= 2


# --- the pages of the README, at both widths -----------------------------------------------------


def test_screenshots_of_the_daily_pages(sign_in, daily_url: str) -> None:
    for viewport, width in ((DESKTOP, 1280), (PHONE, 375)):
        page = sign_in("diego@example.com", viewport)
        _shoot(page, f"home-{width}")
        page.goto(daily_url + "/catch-up/")
        expect(page.get_by_role("heading", name="Catch-up", level=1)).to_be_visible()
        for section in page.locator("section.catchup-section:has(h2 a)").all():
            count = section.locator(".count")
            if count.count():
                listed = section.locator(".catchup-posts > li").count()
                assert count.inner_text() == f"{listed} new post" + ("" if listed == 1 else "s")
        _shoot(page, f"catch-up-{width}")
        page.goto(daily_url + "/tasks/")
        _shoot(page, f"my-tasks-{width}")
        page.goto(daily_url + "/topics/")
        expect(page.get_by_role("link", name="#design")).to_be_visible()
        _shoot(page, f"topics-{width}")
        if width == 1280:  # the phone's is taken with its tabs scrolled (test_phone_navigation…)
            _open_space(page, daily_url, "Website redesign")
            _shoot(page, "space-1280")


# --- axe-core: no serious or critical finding on the daily pages ---------------------------------


def test_axe_finds_nothing_serious_on_the_daily_pages(sign_in, daily_url: str) -> None:
    found: list[str] = []
    for viewport in (DESKTOP, PHONE):
        page = sign_in("lena@example.com", viewport)
        found += conftest.serious_violations(page)
        space_url = _open_space(page, daily_url, "Website redesign")
        found += conftest.serious_violations(page)
        for path in ("tasks/", "plan/", "decisions/", "members/"):
            page.goto(space_url + path)
            found += conftest.serious_violations(page)
        for path in ("/catch-up/", "/tasks/", "/decisions/", "/people/", "/topics/", "/notifications/"):
            page.goto(daily_url + path)
            found += conftest.serious_violations(page)
        admin = sign_in("camille@example.com", viewport)
        for path in ("/admin/", "/admin/invitations/", "/admin/settings/"):
            admin.goto(daily_url + path)
            found += conftest.serious_violations(admin)
    assert not found, "\n".join(found)


def test_a_member_is_not_offered_delete_on_someone_elses_post(sign_in) -> None:
    """The menu shows what the access rule allows: Diego (a member) may make a task of Camille's
    welcome post but not delete it; on his own post he may."""
    page = sign_in("diego@example.com")
    card = page.locator("article").filter(has_text="Welcome to Alvéole").first
    card.locator("details.post-menu summary").click()
    menu = card.locator("details.post-menu .menu-panel")
    expect(menu.get_by_role("button", name="Make a task")).to_be_visible()
    expect(menu.get_by_role("button", name="Delete")).to_have_count(0)
    own = page.locator("article").filter(has=page.get_by_text("Diego Álvarez", exact=True)).first
    own.locator("details.post-menu summary").click()
    expect(own.locator("details.post-menu .menu-panel").get_by_role("button", name="Delete")).to_be_visible()
