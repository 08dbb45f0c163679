"""The SCIM tooling of issue 13 works together: scim2-tester (the independent compliance checks) passes every check on
scim2-server's own in-memory storage, driven in-process through scim2-client. Alvéole's storage (alveole/scim) is to
be held to the same result; a failure here points at the pins (scim2-models, pydantic), not at Alvéole."""

from __future__ import annotations

from collections import Counter

from scim2_client.engines.wsgi import WSGISCIMClient
from scim2_server.applications.wsgi import WSGIApplication
from scim2_server.memory import InMemoryStorage
from scim2_server.utils import load_default_provider
from scim2_tester import check_server


def test_scim_tester_passes_the_reference_server():
    app = WSGIApplication(InMemoryStorage(), load_default_provider())
    results = check_server(WSGISCIMClient(app, base_url="http://localhost/v2"), resource_types=["User", "Group"])
    statuses = Counter(result.status.name for result in results)
    failures = [f"{r.status.name} {r.title}: {r.reason}" for r in results if r.status.name != "SUCCESS"]
    assert not failures, failures
    assert statuses["SUCCESS"] >= 100, statuses
