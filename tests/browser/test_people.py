"""Choosing people (issue 15): the people picker on tasks and space members, resending an invitation,
and mentions that read as names — on a phone (375 px) and a desktop (1280 px).

Camille (owner, manager of the private project "Website redesign", whose members are Lena, Diego
and the guest Priya) assigns people by typing, removes a chip with the keyboard, saves; adds Sam to
the space; resends an invitation; mentions Lena. Screenshots of the picker go to docs/screenshots/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import conftest

pytestmark = pytest.mark.browser
PASSWORD, DESKTOP, PHONE, DOCS = conftest.PASSWORD, conftest.DESKTOP, conftest.PHONE, conftest.DOCS


@pytest.fixture(scope="module")
def people_url():
    """A server of our own: these tests add tasks, members, invitations and posts to the demo data."""
    yield from conftest.live_server_url.__wrapped__()


@pytest.fixture
def sign_in(browser, people_url: str):
    yield from conftest.signed_in_pages(browser, people_url)


def _open_space(page, base: str, name: str) -> str:
    page.goto(base + "/spaces/")
    page.locator("main").get_by_role("link", name=name).first.click()
    page.wait_for_url(re.compile(r"/spaces/\d+/$"))
    return page.url


def _pick(page, box, text: str, name: str) -> None:
    """Type part of a name, wait for the person in the list, take the highlighted one with Enter."""
    box.press_sequentially(text, delay=40)
    option = page.get_by_role("option", name=re.compile(name))
    expect(option).to_be_visible()
    expect(option).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(box).to_have_value("")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
def test_assign_two_people_by_typing_remove_one_with_the_keyboard_and_save(sign_in, people_url: str, viewport) -> None:
    width = viewport["width"]
    title = f"Homepage copy ({width})"
    page = sign_in("camille@example.com", viewport)
    space_url = _open_space(page, people_url, "Website redesign")
    page.goto(space_url + "tasks/")
    page.locator("summary", has_text="New task").click()
    page.get_by_label("Title").fill(title)

    box = page.get_by_role("combobox", name="Add an assignee")
    expect(box).to_be_visible()
    # The native multi-select is still the form's field, out of sight and out of the tab order.
    assert page.locator("select[name='task-assignees']").evaluate("s => s.tabIndex") == -1

    _pick(page, box, "len", "Lena Fischer")
    _pick(page, box, "Dieg", "Diego")
    chips = page.locator(".picker .chip")
    expect(chips).to_have_count(2)
    expect(page.get_by_role("button", name="Remove Lena Fischer")).to_be_visible()

    # Someone who cannot see this private space is never offered (Sam is an admin, not a member).
    box.press_sequentially("Sam", delay=40)
    expect(page.locator(".picker-empty")).to_have_text("Nobody you can choose here matches “Sam”.")
    expect(page.locator(".picker-option")).to_have_count(0)
    box.fill("")

    # Keyboard only: Backspace in the empty box goes to the last chip, Backspace again removes it.
    box.focus()
    box.press("Backspace")
    remove_diego = page.get_by_role("button", name="Remove Diego Álvarez")
    expect(remove_diego).to_be_focused()
    remove_diego.press("Backspace")
    expect(chips).to_have_count(1)
    expect(page.get_by_role("button", name="Remove Lena Fischer")).to_be_focused()
    # The status line tells screen-reader users what happened.
    expect(page.locator(".people-picker-field [role=status]")).to_have_text("Diego Álvarez removed.")

    # Back again, and a third person offered, for the screenshot: chips plus the open list.
    box.focus()
    _pick(page, box, "dieg", "Diego")
    box.press_sequentially("pri", delay=40)
    priya = page.get_by_role("option", name=re.compile("Priya Nair"))
    expect(priya).to_be_visible()
    expect(priya.get_by_text("guest")).to_be_visible()
    # Nothing sticks out of the form, even on a phone.
    picker_box = page.locator(".picker").bounding_box()
    assert picker_box is not None and picker_box["x"] + picker_box["width"] <= width
    # Centred, so that the open list shows above a phone's bottom bar.
    page.locator(".picker-anchor").evaluate("e => e.scrollIntoView({block: 'center'})")
    page.wait_for_timeout(300)
    DOCS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS / f"people-picker-{width}.png"))
    found = conftest.serious_violations(page)
    box.press("Escape")
    expect(priya).to_be_hidden()
    box.fill("")

    # The date field keeps its comfortable size next to the picker.
    due = page.get_by_label("Due date")
    due_box = due.bounding_box()
    assert due_box is not None and due_box["height"] >= 40

    page.get_by_role("button", name="Create the task").click()
    expect(page.get_by_text(f"Task “{title}” created.")).to_be_visible()
    row = page.locator("li.task-row", has_text=title)
    expect(row).to_contain_text("Diego Álvarez, Lena Fischer")

    # The task's own edit form starts from the same two chips.
    row.get_by_role("link", name=title).click()
    page.wait_for_url(re.compile(r"/tasks/\d+/$"))
    expect(page.get_by_text("Assigned to Diego Álvarez, Lena Fischer")).to_be_visible()
    page.get_by_text("Edit the task").click()
    expect(page.locator(".picker .chip")).to_have_count(2)
    found += conftest.serious_violations(page)
    assert not found, "\n".join(found)


def test_add_a_member_to_a_space_by_typing(sign_in, people_url: str) -> None:
    page = sign_in("camille@example.com", PHONE)
    space_url = _open_space(page, people_url, "Website redesign")
    page.goto(space_url + "members/")
    box = page.get_by_role("combobox", name="Find someone to add")
    _pick(page, box, "Sam", "Sam Okafor")
    expect(page.get_by_role("button", name="Remove Sam Okafor")).to_be_visible()
    found = conftest.serious_violations(page)
    page.get_by_role("button", name="Add to space").click()
    expect(page.get_by_text("Sam Okafor is now a member of this space.")).to_be_visible()
    expect(page.locator("tr[data-member='sam@example.com']")).to_be_visible()
    assert not found, "\n".join(found)


def test_resend_an_invitation_asks_then_confirms(sign_in, people_url: str) -> None:
    found: list[str] = []
    for viewport in (DESKTOP, PHONE):
        email = f"late-{viewport['width']}@example.org"
        page = sign_in("camille@example.com", viewport)
        page.goto(people_url + "/admin/invitations/")
        page.get_by_label("Email addresses").fill(email)
        page.get_by_role("button", name="Send invitations").click()
        first_link = page.get_by_test_id("invitation-link").input_value()
        row = page.locator(f"tr[data-invitation='{email}']")
        row.get_by_role("button", name=re.compile("Resend")).click()
        dialog = page.locator("dialog.confirm")
        expect(dialog).to_be_visible()
        expect(dialog).to_contain_text(f"Send the invitation to {email} again?")
        dialog.get_by_role("button", name="Resend").click()
        expect(page.get_by_text(f"The invitation for {email} was sent again")).to_be_visible()
        new_link = page.get_by_test_id("invitation-link").input_value()
        assert new_link.startswith(people_url + "/invite/") and new_link != first_link
        expect(page.locator(f"tr[data-invitation='{email}']").get_by_text("Pending")).to_be_visible()
        found += conftest.serious_violations(page)
    assert not found, "\n".join(found)


def test_a_mention_shows_the_name(sign_in, people_url: str) -> None:
    page = sign_in("camille@example.com", DESKTOP)
    _open_space(page, people_url, "Everyone")
    box = page.get_by_label("Write a post")
    box.fill("Welcome aboard, ")
    box.press_sequentially("@len")
    expect(page.get_by_role("option", name=re.compile("Lena"))).to_be_visible()
    box.press("Enter")
    expect(box).to_have_value(re.compile(r"@lena\S* $"))
    box.press_sequentially("see you Monday")
    page.get_by_role("button", name="Post", exact=True).click()
    card = page.locator("article.post", has_text="Welcome aboard").first
    link = card.get_by_role("link", name="@Lena Fischer")
    expect(link).to_be_visible()
    expect(link).to_have_attribute("title", re.compile(r"^@lena"))
    page.reload()
    card = page.locator("article.post", has_text="Welcome aboard").first
    expect(card.get_by_role("link", name="@Lena Fischer")).to_be_visible()
    found = conftest.serious_violations(page)
    assert not found, "\n".join(found)
