"""Property-based fuzzing of the whole API: no input may make it answer a 5xx or break its contract.

Schemathesis reads /api/v1/openapi.json from the running Django application and sends every
operation generated requests, valid and invalid, with a real personal access token per role. A
response fails the test when it is a server error or when it does not match the schema the
document promises for its status. It runs in both passes of CI (SQLite, then PostgreSQL + Redis).

The number of generated cases per operation is ALVEOLE_FUZZ_EXAMPLES (default below), and the
examples are derandomized: each run sends the same requests, so a failure is reproducible and the
test is not flaky. Raise it locally for a deeper search: ALVEOLE_FUZZ_EXAMPLES=200 (add
ALVEOLE_FUZZ_COVERAGE=1 for schemathesis' boundary-value phase as well).
"""

from __future__ import annotations

import datetime
import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import response_schema_conformance

from alveole.accounts.actions import create_token
from alveole.decisions import actions as decisions
from alveole.feed import actions as feed
from alveole.notifications.models import Notification
from alveole.orgs import actions as orgs
from alveole.projects import actions as projects
from alveole.spaces import actions as spaces
from alveole.testing import World

pytestmark = pytest.mark.django_db

settings.register_profile(
    "alveole-fuzz",
    max_examples=int(os.environ.get("ALVEOLE_FUZZ_EXAMPLES", "4")),
    derandomize=True,  # the same cases every run: reproducible, never flaky
    database=None,  # no example database left behind between runs
    deadline=None,  # a slow first request (a cold cache, PostgreSQL) is not a failure
    phases=[Phase.explicit, Phase.generate],  # no shrinking: the failing case is reported as sent
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)
FUZZ = settings.get_profile("alveole-fuzz")
COVERAGE = os.environ.get("ALVEOLE_FUZZ_COVERAGE", "0") == "1"
CHECKS = [not_a_server_error, response_schema_conformance]
SENT: Counter[str] = Counter()
STATUSES: Counter[str] = Counter()
ROLES = ("owner", "member", "guest")

# The document as the application serves it (reading it needs no database).
CONFIG = SchemathesisConfig.from_dict({"seed": 18, "phases": {"coverage": {"enabled": COVERAGE}}})
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application(), config=CONFIG)

# Ids of real rows, by path parameter name: half the generated calls aim at them (the other
# half keep their random ids), so the fuzz reaches past "not found" into the actions.
KNOWN: dict[str, list[object]] = {}


@schema.hook
def flatmap_path_parameters(context: schemathesis.HookContext, path_parameters: dict[str, Any] | None) -> Any:
    if not path_parameters:
        return st.just(path_parameters)
    real = {name: KNOWN[name] for name in path_parameters if KNOWN.get(name)}
    if not real:
        return st.just(path_parameters)
    chosen = st.fixed_dictionaries({name: st.sampled_from(values) for name, values in real.items()})
    return st.one_of(st.just(path_parameters), chosen.map(lambda ids: {**path_parameters, **ids}))


@pytest.fixture
def seeded(world: World) -> Iterator[World]:
    """The world with one of everything the API has an id for, in the spaces the roles share."""
    space = spaces.update_space(world.owner, space=world.private_space, kind="project")  # all three roles are in it
    post, _report = feed.create_post(world.member, space=space, body="Kick-off #launch @gina")
    comment, _report = feed.create_comment(world.guest, post=post, body="Thanks!")
    soon = timezone.now() + datetime.timedelta(days=2)
    poll = decisions.create_poll(world.owner, space=space, question="Lunch?", options=["Pizza", "Soup"], closes_at=soon)
    closed = decisions.create_poll(world.owner, space=space, question="Venue?", options=["A", "B"], closes_at=soon)
    decision = decisions.close_poll(world.owner, poll=closed, outcome="A")
    proposal = decisions.create_proposal(world.owner, space=space, statement="Ship on Friday", closes_at=soon)
    task = projects.create_task(world.owner, space=space, title="Plan", checklist=["Book room"])
    milestone = projects.create_milestone(world.owner, space=space, title="Beta", date=soon.date())
    invitation, _link = orgs.invite_member(world.owner, email="new@example.com")
    KNOWN.update(
        space_id=[world.open_space.pk, space.pk],
        user_id=[world.owner.pk, world.member.pk, world.guest.pk, world.admin.pk],
        post_id=[post.pk, comment.post_id],
        comment_id=[comment.pk],
        poll_id=[poll.pk, closed.pk],
        proposal_id=[proposal.pk],
        decision_id=[decision.pk],
        task_id=[task.pk],
        item_id=list(task.checklist.values_list("pk", flat=True)),
        milestone_id=[milestone.pk],
        invitation_id=[invitation.pk],
        notification_id=list(Notification.objects.values_list("pk", flat=True)),
        name=["launch"],
    )
    yield world
    KNOWN.clear()


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """Requests go through the real WSGI handler, which closes the connection as a request starts and
    ends (Django's own test client prevents it): with PostgreSQL's pool, the test's data would be gone."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture(scope="module", autouse=True)
def _report_counts(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    total = sum(SENT.values())
    if total:
        by_status = ", ".join(f"{k}: {v}" for k, v in sorted(STATUSES.items()))
        cases = total // len(ROLES)
        line = f"API fuzzing sent {total} requests ({cases} generated cases x {len(ROLES)} roles; {by_status})"
        reporter = request.config.pluginmanager.get_plugin("terminalreporter")
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        if reporter is not None and capture is not None:
            with capture.global_and_fixture_disabled():  # shown in CI's log, not only on failure
                reporter.write_line("")
                reporter.write_line(line)


@schema.parametrize()
@settings(FUZZ)
def test_no_input_makes_the_api_fail(case: schemathesis.Case, seeded: World) -> None:
    # Each generated request is sent once per role; drawing it costs far more than sending it.
    for role in ROLES:
        # A fresh token each time: a generated call may revoke the caller's token (DELETE /tokens/{id}).
        _token, secret = create_token(seeded.user(role), name="fuzz")  # type: ignore[arg-type]
        response = case.call_and_validate(headers={"Authorization": f"Bearer {secret}"}, checks=CHECKS)
        SENT[role] += 1
        STATUSES[f"{response.status_code // 100}xx"] += 1
