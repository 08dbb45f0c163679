"""bench.search_steps fills a scratch PostgreSQL database and finds the same window both ways."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from urllib.parse import urlparse, urlunparse

import pytest

from alveole.testing import _service_missing
from bench.feed_latency import ROOT

pytestmark = pytest.mark.postgres


def test_three_steps_find_what_one_step_finds():
    base = os.environ.get("ALVEOLE_TEST_DATABASE_URL", "")
    if not base.startswith("postgres"):
        _service_missing("database", "ALVEOLE_TEST_DATABASE_URL is not a PostgreSQL URL")
    url = urlunparse(urlparse(base)._replace(path=f"/alveole_steps_{uuid.uuid4().hex[:8]}"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALVEOLE_", "DATABASE_URL", "DJANGO_"))}
    done = subprocess.run(
        [sys.executable, "-m", "bench.search_steps", "--database", url, "--entries", "30000"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("w")]
    assert [line.split()[0] for line in lines] == ["w1", "w10", "w100", "w1000", "w2999"]
    assert all(line.endswith("same window") for line in lines), done.stdout
