"""scim2-tester, the independent compliance checks, against the real Django application (every
middleware, the Bearer auth, the storage over the database), through WSGI in-process.

`make scim-report` runs this test with ALVEOLE_SCIM_REPORT set: it then writes the report that
docs/scim-compliance.md keeps."""

from __future__ import annotations

import os
from collections import Counter
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from scim2_client.engines.wsgi import WSGISCIMClient
from scim2_tester import check_server

from alveole.accounts.models import Role
from alveole.factories import UserFactory
from alveole.scim.actions import create_scim_token

# Checks allowed to be skipped, each with why (docs/scim-compliance.md): none.
ALLOWED_SKIPS: set[str] = set()
STATUSES = ("SUCCESS", "COMPLIANCE", "DEVIATION", "ERROR", "CRITICAL", "SKIPPED")


def run_checks() -> list[Any]:
    owner = UserFactory.create(role=Role.OWNER)
    _token, secret = create_scim_token(owner, name="scim2-tester")
    client = WSGISCIMClient(
        get_wsgi_application(),
        base_url="http://localhost/scim/v2",
        headers={"Authorization": f"Bearer {secret}"},
    )
    # As Django's test client does: the test's transaction holds the connection, so a request must not
    # close it at its start or end (on PostgreSQL's pool that would roll the test's data back).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        client.discover()
        return check_server(client, resource_types=["User", "Group"])
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def report(results: list[Any]) -> str:
    """The Markdown report: versions, counts by status, then one line per check (sorted, so that a run
    that changes nothing rewrites the same file)."""
    counts = Counter(r.status.name for r in results)
    packages = ", ".join(f"{name} {version(name)}" for name in ("scim2-tester", "scim2-server", "scim2-models"))
    lines = [
        "# SCIM compliance report",
        "",
        'scim2-tester\'s `check_server(client, resource_types=["User", "Group"])` run against Alvéole\'s real',
        "application (every middleware, Bearer-token auth, the storage over the database) by",
        "`alveole/scim/tests/test_compliance.py`. Regenerate with `make scim-report`.",
        "",
        f"Packages: {packages}.",
        "",
        "| status | checks |",
        "|---|---|",
        *(
            f"| {status} | {counts.get(status, 0)} |"
            for status in STATUSES
            if counts.get(status) or status != "COMPLIANCE"
        ),
        f"| **total** | **{len(results)}** |",
        "",
        "Skipped checks: none. Bulk operations and password changes are announced as unsupported in",
        "`/ServiceProviderConfig` (Alvéole stores no provisioned password, and one request is one transaction);",
        "scim2-tester does not exercise either, so nothing is skipped for them.",
        "",
        "## Every check",
        "",
        "| status | resource type | check | runs |",
        "|---|---|---|---|",
    ]
    # A check runs once per attribute it tries (PATCH add/replace/remove…): one row each, with its count.
    runs = Counter((r.status.name, r.resource_type or "", r.title or "") for r in results)
    for (status, kind, title), count in sorted(runs.items(), key=lambda item: (item[0][2], item[0][1])):
        lines.append(f"| {status} | {kind or '—'} | `{title}` | {count} |")
    return "\n".join(lines) + "\n"


@pytest.mark.django_db
def test_scim_tester_passes_on_alveole():
    results = run_checks()
    failures = [
        f"{r.status.name} {r.title}: {r.reason}" for r in results if r.status.name not in ("SUCCESS", "SKIPPED")
    ]
    assert not failures, "\n".join(failures)
    skipped = {r.title for r in results if r.status.name == "SKIPPED"}
    assert skipped == ALLOWED_SKIPS
    assert Counter(r.status.name for r in results)["SUCCESS"] >= 100
    if target := os.environ.get("ALVEOLE_SCIM_REPORT"):
        Path(target).write_text(report(results), encoding="utf-8")
