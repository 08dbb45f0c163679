"""The fault suite's services: its own PostgreSQL cluster and Redis on spare ports (so that it may
kill them), started once per session, and one set of Alvéole processes (two `alveole run`, one
`alveole worker`) on a copy of the seeded database, shared by the module's PostgreSQL scenarios:
each judges only what happened during it, and starts again whatever the previous one left down.

It runs in CI's PostgreSQL + Redis pass (ALVEOLE_TEST_REQUIRE_SERVICES=1), where a missing
PostgreSQL or redis-server binary fails the run; elsewhere only with ALVEOLE_FAULTS=1.
ALVEOLE_FAULTS=0 skips it even there.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from .checks import Outcome, table
from .scenarios import Services, Stack, postgres_stack
from .services import ServiceMissing

ENABLED = os.environ.get("ALVEOLE_FAULTS", "")
REQUIRED = os.environ.get("ALVEOLE_TEST_REQUIRE_SERVICES") == "1"
OUTCOMES: list[Outcome] = []  # filled by the tests, printed at the end


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if ENABLED == "1" or (REQUIRED and ENABLED != "0"):
        return
    why = "ALVEOLE_FAULTS=0" if ENABLED == "0" else "run with ALVEOLE_FAULTS=1 (or in CI's PostgreSQL + Redis pass)"
    skip = pytest.mark.skip(reason=f"fault suite: {why}")
    for item in items:
        if item.get_closest_marker("faults") is not None:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if OUTCOMES:
        terminalreporter.section("fault suite: figures")
        terminalreporter.write_line(table(OUTCOMES))
        for outcome in OUTCOMES:
            terminalreporter.write_line(outcome.summary())


@pytest.fixture(scope="session")
def outcomes() -> list[Outcome]:
    return OUTCOMES


@pytest.fixture(scope="session")
def services() -> Iterator[Services]:
    try:
        started = Services()
    except ServiceMissing as exc:
        pytest.fail(f"the fault suite needs it: {exc}", pytrace=False)
    try:
        started.start()
    except BaseException:
        started.stop()
        raise
    yield started
    started.stop()
    if os.environ.get("ALVEOLE_FAULTS_KEEP") != "1":
        shutil.rmtree(started.base, ignore_errors=True)
    else:
        print(f"\nfault suite: logs and databases kept in {started.base}")


@pytest.fixture(scope="module")
def shared_stack(services: Services) -> Iterator[Stack]:
    with postgres_stack(services) as stack:
        yield stack.start()


@pytest.fixture
def stack(shared_stack: Stack) -> Stack:
    return shared_stack.ensure_running()
