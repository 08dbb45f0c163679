"""Browser tests: a real Alvéole server in a subprocess, driven by Debian's Chromium.

These tests talk to the server over HTTP only: they must not use pytest-django's
database fixtures. Each session gets a fresh ALVEOLE_VAR_DIR (so a fresh SQLite
database) with the demo organisation.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "var" / "screenshots"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_server_url() -> Iterator[str]:
    port = _free_port()
    var_dir = tempfile.mkdtemp(prefix="alveole-browser-")
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "ALVEOLE_VAR_DIR": var_dir,
        "SECRET_KEY": "browser-tests-only-" + "k" * 50,
        "ALVEOLE_BASE_URL": base,
        "EMAIL_URL": "file://" + str(Path(var_dir) / "mail"),
        "ALVEOLE_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "alveole.settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])),
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    log = open(Path(var_dir) / "server.log", "w")
    command = [str(ROOT / ".venv" / "bin" / "alveole"), "run", "--demo", "--port", str(port)]
    if not Path(command[0]).exists():
        command = [sys.executable, "-m", "alveole.cli", "run", "--demo", "--port", str(port)]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                log.flush()
                raise RuntimeError("The server stopped:\n" + (Path(var_dir) / "server.log").read_text()[-4000:])
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("The server did not answer /healthz within 90 s.")
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


PASSWORD = "hive-demo-2026"  # alveole.shell.demo.DEMO_PASSWORD
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 800}
DOCS = ROOT / "docs" / "screenshots"


def signed_in_pages(browser, base: str, *, console_errors: bool = False, then=None) -> Iterator:
    """The body of a `sign_in` fixture: yields `sign_in(email, viewport)`, which opens a signed-in page in a
    context of its own; at the end closes them all and fails on any page error (and console error when
    asked). `then(page)` runs after each sign-in (say, wait for the live socket)."""
    contexts = []
    problems: list[str] = []

    def _sign_in(email: str, viewport=DESKTOP):
        context = browser.new_context(viewport=viewport, locale="en-GB")
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: problems.append(f"{email}: {exc}"))
        if console_errors:
            page.on("console", lambda m: problems.append(f"{email}: {m.text}") if m.type == "error" else None)
        page.goto(base + "/accounts/login/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(base + "/")
        if then is not None:
            then(page)
        return page

    yield _sign_in
    for context in contexts:
        context.close()
    assert not problems, problems


def serious_violations(page, context: str | None = None) -> list[str]:
    """axe's serious and critical findings on the page (or the `context` selector), one line each."""
    # Entrance animations (a flash fading in) would be measured half-transparent: let them end.
    page.evaluate("Promise.all(document.getAnimations().map(a => a.finished))")
    results = Axe().run(page, context=context) if context else Axe().run(page)
    return [
        f"{page.url} {v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
