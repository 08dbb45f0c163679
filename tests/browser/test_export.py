"""The archive's acceptance test: an exported ZIP opens offline in Chromium (file://) and shows the
space's posts, comments, decisions and images."""

from __future__ import annotations

import io
import re
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PASSWORD = "hive-demo-2026"  # alveole.shell.demo.DEMO_PASSWORD


def _api(page, method: str, path: str, data: dict | None = None):
    return page.evaluate(
        """async ([method, path, data]) => {
            const csrf = document.cookie.split('; ').find(c => c.startsWith('csrftoken='))?.split('=')[1];
            const response = await fetch('/api/v1' + path, {
                method, headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf},
                body: data ? JSON.stringify(data) : undefined,
            });
            if (!response.ok) throw new Error(response.status + ' ' + await response.text());
            return response.status === 204 ? null : response.json();
        }""",
        [method, path, data],
    )


def _upload(page, name: str, content: bytes) -> int:
    return page.evaluate(
        """async ([name, bytes]) => {
            const csrf = document.cookie.split('; ').find(c => c.startsWith('csrftoken='))?.split('=')[1];
            const form = new FormData();
            form.append('file', new Blob([new Uint8Array(bytes)], {type: 'image/png'}), name);
            const response = await fetch('/api/v1/files', {method: 'POST', headers: {'X-CSRFToken': csrf}, body: form});
            if (!response.ok) throw new Error(response.status + ' ' + await response.text());
            return (await response.json()).id;
        }""",
        [name, list(content)],
    )


def test_an_exported_space_opens_offline(live_server_url: str, browser, screenshot_dir: Path, tmp_path: Path) -> None:
    base = live_server_url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB", accept_downloads=True)
    page = context.new_page()
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill("lena@example.com")  # a manager of "Website redesign"
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/")

    space = next(s for s in _api(page, "GET", "/spaces?limit=100")["items"] if s["name"] == "Website redesign")
    image = io.BytesIO()
    Image.new("RGB", (320, 200), (180, 83, 9)).save(image, "PNG")
    file_id = _upload(page, "palette.png", image.getvalue())
    post = _api(page, "POST", "/posts", {"space_id": space["id"], "body": "The colour palette for the archive",
                                         "attachment_ids": [file_id]})  # fmt: skip
    _api(page, "POST", f"/posts/{post['id']}/comments", {"body": "Approved by the client"})
    closes = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    poll = _api(page, "POST", f"/spaces/{space['id']}/polls",
                {"question": "Which palette?", "options": ["Amber", "Teal"], "closes_at": closes})  # fmt: skip
    _api(page, "POST", f"/polls/{poll['id']}/close", {"outcome": "We go with amber"})

    # Ask for the export from the space's settings, re-entering the password.
    page.goto(f"{base}/spaces/{space['id']}/settings/")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Prepare the export").click()
    page.wait_for_url(re.compile(r"/exports/\d+/$"))
    deadline = time.monotonic() + 60
    while not page.get_by_role("link", name="Download the ZIP").is_visible():
        assert time.monotonic() < deadline, "the export was not ready within a minute"
        page.wait_for_timeout(1000)
        page.reload()
    page.screenshot(path=str(screenshot_dir / "export-ready-1280.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the ZIP").click()
    archive = tmp_path / "export.zip"
    download.value.save_as(archive)
    with zipfile.ZipFile(archive) as z:
        z.extractall(tmp_path / "export")
    context.close()

    # Offline: a fresh context with every network request refused; only file:// works.
    offline = browser.new_context(viewport={"width": 1280, "height": 900}, offline=True)
    page = offline.new_page()
    page.goto((tmp_path / "export" / "index.html").as_uri())
    page.get_by_role("link", name="Website redesign").click()
    expect(page.get_by_role("heading", name="Website redesign")).to_be_visible()
    expect(page.get_by_text("The colour palette for the archive")).to_be_visible()
    expect(page.get_by_text("Approved by the client")).to_be_visible()
    expect(page.get_by_text("We go with amber")).to_be_visible()
    picture = page.get_by_role("img", name="palette.png")
    expect(picture).to_be_visible()
    assert picture.evaluate("img => img.complete && img.naturalWidth") == 320
    page.screenshot(path=str(screenshot_dir / "export-offline-1280.png"), full_page=True)
    offline.close()
