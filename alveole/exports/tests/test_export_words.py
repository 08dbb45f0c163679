"""An export is read by people, years later: statuses and kinds in words, not stored keys."""

from __future__ import annotations

import zipfile

import pytest

from alveole.exports.jobs import exports_root
from alveole.exports.tests.test_exports import build, filled, run_jobs  # noqa: F401 (fixtures)
from alveole.feed import actions as feed

pytestmark = pytest.mark.django_db


def test_tasks_in_the_export_show_human_statuses(filled, run_jobs):  # noqa: F811
    feed.create_post(filled.owner, space=filled.private_space, kind="question", body="Who has the keys?")
    export = build(filled.owner, filled.private_space, run_jobs)
    with zipfile.ZipFile(exports_root() / export.storage_name) as archive:
        folder = next(n.split("/")[0] for n in archive.namelist() if n.endswith("/data.json"))
        page = archive.read(f"{folder}/index.html").decode()
    assert "<td>Ship it</td><td>To do</td>" in page
    assert "<td>todo</td>" not in page
    assert '<span class="badge">Question</span>' in page
