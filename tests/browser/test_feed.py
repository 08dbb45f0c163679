"""The feed's acceptance test: a new user's first day, in a real browser, with four people.

Lena posts an image and a #topic in "Website redesign"; Diego likes it and comments; Camille
@mentions Lena and shares the post to "Everyone". Each sees what they should and nothing more:
Priya, a guest of "Website redesign" only, sees nothing of "Everyone"; Sam, who is not in
"Website redesign", sees the share but not the original.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser import conftest

pytestmark = pytest.mark.browser

PASSWORD = "hive-demo-2026"  # alveole.shell.demo.DEMO_PASSWORD
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 800}


@pytest.fixture(scope="module")
def feed_server_url():
    """A server of our own (fresh demo data): the other journeys expect an empty feed."""
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
    return context, page


def _shoot(page, directory: Path, name: str) -> None:
    page.wait_for_timeout(500)
    page.screenshot(path=str(directory / f"feed-{name}.png"), full_page=True)


def _open_space(page, name: str) -> str:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name).first.click()
    page.wait_for_url(re.compile(r"/spaces/\d+/$"))
    return page.url


def _card(page, text: str):
    """The first card with this text that is not a share of it."""
    return page.locator("article.post:not(:has(.shared))", has_text=text).first


def test_a_new_users_first_day(feed_server_url: str, browser, screenshot_dir: Path, tmp_path: Path) -> None:
    base = feed_server_url
    problems: list[str] = []
    image = tmp_path / "moodboard.png"
    Image.new("RGB", (640, 400), (233, 162, 27)).save(image)

    # --- Lena posts an image and a #topic, mentioning Diego through the autocomplete -------------
    lena_ctx, lena = _session(browser, base, "lena@example.com", problems)
    redesign_url = _open_space(lena, "Website redesign")
    box = lena.get_by_label("Write a post")
    box.fill("First moodboard for Nair Studio #moodboard, what do you think ")
    box.press_sequentially("@die")
    option = lena.get_by_role("option", name=re.compile("Diego"))
    expect(option).to_be_visible()
    box.press("Enter")
    expect(box).to_have_value(re.compile(r"@diego\S* $"))
    lena.locator("[data-file-input]").set_input_files(str(image))
    expect(lena.locator(".preview input[name=attachment_ids]")).to_have_count(1)
    _shoot(lena, screenshot_dir, "composer-1280")
    lena.get_by_role("button", name="Post", exact=True).click()
    card = _card(lena, "First moodboard")
    expect(card).to_be_visible()
    assert lena.url == redesign_url  # no reload
    expect(lena.locator("[data-composer-status]")).to_have_text("Posted.")
    expect(card.locator(".attachment-image img")).to_be_visible()
    expect(card.get_by_role("link", name="#moodboard")).to_be_visible()
    expect(box).to_have_value("")
    lena.reload()
    expect(_card(lena, "First moodboard").locator(".attachment-image img")).to_be_visible()

    # --- Diego likes it and comments, inline ------------------------------------------------------
    diego_ctx, diego = _session(browser, base, "diego@example.com", problems)
    post = _card(diego, "First moodboard")
    expect(post).to_be_visible()
    expect(post.locator("[data-unread-mark]")).to_be_visible()
    post.get_by_role("button", name="Like").click()
    expect(post.locator(".react-button")).to_have_attribute("aria-pressed", "true")
    post.get_by_role("link", name="Comment").click()
    comment_box = post.get_by_label("Write a comment")
    expect(comment_box).to_be_focused()
    comment_box.fill("Love the palette, let's keep the amber.")
    post.get_by_role("button", name="Comment", exact=True).click()
    expect(post.locator(".comment", has_text="Love the palette")).to_be_visible()
    expect(post.locator("[data-comment-count]")).to_have_text("1 comment")
    assert diego.url == base + "/"
    _shoot(diego, screenshot_dir, "home-comments-1280")
    diego.wait_for_timeout(5500)  # the card was on screen: its read is sent in the next batch
    diego.reload()
    expect(_card(diego, "First moodboard").locator("[data-unread-mark]")).to_have_count(0)

    # --- Camille @mentions Lena in "Everyone" and shares Lena's post there -------------------------
    camille_ctx, camille = _session(browser, base, "camille@example.com", problems)
    everyone_url = _open_space(camille, "Everyone")
    box = camille.get_by_label("Write a post")
    box.fill("Welcome to the new feed! Great start by ")
    box.press_sequentially("@len")
    expect(camille.get_by_role("option", name=re.compile("Lena"))).to_be_visible()
    box.press("Enter")
    camille.get_by_role("button", name="Post", exact=True).click()
    expect(_card(camille, "Welcome to the new feed")).to_be_visible()

    camille.goto(redesign_url)
    original = _card(camille, "First moodboard")
    original.get_by_role("link", name="Share").click()
    dialog = camille.get_by_role("dialog")
    dialog.get_by_label("Share to").select_option(label="Everyone")
    dialog.get_by_label("Add a comment").fill("Look at what the redesign team made")
    dialog.get_by_role("button", name="Share").click()
    expect(dialog).to_have_count(0)
    camille.goto(everyone_url)
    share = camille.locator("article.post", has_text="Look at what the redesign team made").first
    expect(share.locator(".shared", has_text="First moodboard")).to_be_visible()
    _shoot(camille, screenshot_dir, "space-1280")

    # --- Lena sees the mention, the like and the comment ---------------------------------------
    lena.goto(base + "/?filter=mentions")
    expect(_card(lena, "Welcome to the new feed")).to_be_visible()
    expect(lena.locator("article.post", has_text="First moodboard")).to_have_count(0)
    lena.goto(base + "/")
    mine = _card(lena, "First moodboard")
    expect(mine.locator(".reaction-summary")).to_contain_text("1")
    expect(mine.locator("[data-comment-count]")).to_have_text("1 comment")
    _shoot(lena, screenshot_dir, "home-1280")
    lena.get_by_role("link", name="#moodboard").first.click()
    lena.wait_for_url(re.compile(r"/topics/moodboard/$"))
    expect(_card(lena, "First moodboard")).to_be_visible()
    lena.get_by_role("button", name="Follow this topic").click()
    expect(lena.get_by_role("button", name="Following")).to_be_visible()

    # --- Sam is not in "Website redesign": he sees the share, not the original ----------------------
    sam_ctx, sam = _session(browser, base, "sam@example.com", problems)
    sam.goto(everyone_url)
    share = sam.locator("article.post", has_text="Look at what the redesign team made").first
    expect(share).to_contain_text("This post is not available to you.")
    expect(sam.locator("text=First moodboard")).to_have_count(0)

    # --- Priya, a guest of "Website redesign" only, sees nothing of "Everyone" ----------------------
    priya_ctx, priya = _session(browser, base, "priya@client.example", problems, viewport=PHONE)
    expect(_card(priya, "First moodboard")).to_be_visible()
    expect(priya.locator("article.post", has_text="Welcome to the new feed")).to_have_count(0)
    expect(priya.locator("article.post", has_text="Look at what the redesign team made")).to_have_count(0)
    _shoot(priya, screenshot_dir, "home-guest-375")
    response = priya.goto(everyone_url)
    assert response is not None and response.status == 404
    priya.goto(base + "/topics/moodboard/")
    expect(_card(priya, "First moodboard")).to_be_visible()

    # --- phones: the same pages in one column -----------------------------------------------------
    phone_ctx, phone = _session(browser, base, "lena@example.com", problems, viewport=PHONE)
    _shoot(phone, screenshot_dir, "home-375")
    phone.goto(redesign_url)
    card = _card(phone, "First moodboard")
    card.get_by_role("link", name=re.compile("comment")).click()
    expect(card.locator(".comment", has_text="Love the palette")).to_be_visible()
    _shoot(phone, screenshot_dir, "space-375")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways at 375 px ({width} px)"
    phone.goto(everyone_url)
    _shoot(phone, screenshot_dir, "share-375")

    for ctx in (lena_ctx, diego_ctx, camille_ctx, sam_ctx, priya_ctx, phone_ctx):
        ctx.close()
    assert not [p for p in problems if "404" not in p], problems
