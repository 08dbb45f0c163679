"""scim2-tester, the independent compliance checks, against the real Django application (every
middleware, the Bearer auth, the storage over the database). docs/scim-compliance.md records its report
(`make scim-report`)."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.wsgi import get_wsgi_application
from scim2_client.engines.wsgi import WSGISCIMClient
from scim2_tester import check_server

from alveole.accounts.models import Role
from alveole.factories import UserFactory
from alveole.scim.actions import create_scim_token

# Checks allowed to be skipped, with why (docs/scim-compliance.md): none.
ALLOWED_SKIPS: set[str] = set()


def run_checks() -> list:
    owner = UserFactory.create(role=Role.OWNER)
    _token, secret = create_scim_token(owner, name="scim2-tester")
    client = WSGISCIMClient(
        get_wsgi_application(),
        base_url="http://localhost/scim/v2",
        headers={"Authorization": f"Bearer {secret}"},
    )
    client.discover()
    return check_server(client, resource_types=["User", "Group"])


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
