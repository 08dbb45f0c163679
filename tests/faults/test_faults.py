"""Nothing is lost under faults (issue 10), proven from the outside with real processes.

Each test kills something for real while posts flow and WebSockets listen, then checks from the
database: every committed event reached every socket allowed to see it, once and in order, and
nothing else; every notification job ran with its effect once; no 5xx once the service is back;
and how long recovery took (a table of the figures is printed at the end of the run).
"""

from __future__ import annotations

import pytest

from .checks import Outcome
from .scenarios import (
    Load,
    Services,
    Stack,
    embedded_stack,
    kill_embedded,
    kill_redis,
    kill_web,
    kill_worker,
    new_space,
    restart_postgres,
)

pytestmark = [pytest.mark.faults, pytest.mark.postgres, pytest.mark.redis]
LOAD = Load(sockets=30, rate=10, before=2, after=3)


def verdict(outcome: Outcome, outcomes: list[Outcome]) -> None:
    outcomes.append(outcome)  # the figures are printed at the end of the run (conftest.py)
    if not outcome.ok:
        pytest.fail(outcome.summary() + "\n  logs: " + " ".join(outcome.logs), pytrace=False)


def test_a_socket_opened_before_a_space_exists_receives_its_posts(stack: Stack, outcomes: list[Outcome]) -> None:
    verdict(new_space(stack), outcomes)


def test_killing_a_web_process_loses_nothing(stack: Stack, outcomes: list[Outcome]) -> None:
    verdict(kill_web(stack, LOAD), outcomes)


def test_killing_redis_loses_nothing(stack: Stack, outcomes: list[Outcome]) -> None:
    verdict(kill_redis(stack, LOAD), outcomes)


def test_killing_the_worker_three_times_loses_no_job_and_doubles_none(stack: Stack, outcomes: list[Outcome]) -> None:
    # Fewer posts: the backlog of three restarts must drain within the suite's time (a notification
    # job took ~0.1 s here while both web processes were busy).
    verdict(kill_worker(stack, Load(sockets=30, rate=6, before=2, after=0)), outcomes)


def test_restarting_postgresql_needs_no_restart_of_alveole(stack: Stack, outcomes: list[Outcome]) -> None:
    verdict(restart_postgres(stack, LOAD), outcomes)


def test_killing_the_embedded_server_in_a_burst_loses_nothing(services: Services, outcomes: list[Outcome]) -> None:
    with embedded_stack(services) as stack:
        verdict(kill_embedded(stack.start(), Load(sockets=20, rate=20, before=2, after=2)), outcomes)
