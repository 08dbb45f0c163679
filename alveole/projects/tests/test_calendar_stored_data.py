"""The calendar feed answers 200 whatever dates and texts are already stored (issue 10 item 7, issue 18 item 6).

Input validation keeps new extreme dates out; these rows are written straight to the database to stand
for data saved before that validation existed.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone, translation
from icalendar import Calendar

from alveole.decisions.actions import create_poll
from alveole.decisions.models import Poll
from alveole.projects import actions
from alveole.projects.models import Milestone, ProjectPlan, Task
from alveole.spaces.models import Space, SpaceKind
from alveole.testing import World

pytestmark = pytest.mark.django_db

LAST_DAY = datetime.date(9999, 12, 31)


@pytest.fixture(autouse=True)
def _english() -> object:
    with translation.override("en"):
        yield


def _project(world: World) -> Space:
    Space.objects.filter(pk=world.private_space.pk).update(kind=SpaceKind.PROJECT)
    world.private_space.refresh_from_db()
    return world.private_space


def _soon(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def _summaries(client, user) -> set[str]:
    response = client.get(f"/calendar/{actions.rotate_calendar_token(user)}.ics")
    assert response.status_code == 200, response.content[:300]
    return {str(e["summary"]) for e in Calendar.from_ical(response.content).walk("VEVENT")}


def _poll(world: World, space: Space, question: str) -> Poll:
    return create_poll(
        world.owner,
        space=space,
        question=question,
        options=["Yes", "No"],
        closes_at=timezone.now() + datetime.timedelta(days=3),
    )


def test_a_vote_closing_on_the_last_representable_day_is_left_out(world: World, client) -> None:
    # The run of issue 18 saved a poll closing 9999-12-31; every feed of the space's members then
    # failed with OverflowError (the all-day event ends the day after).
    space = _project(world)
    far = _poll(world, space, "Far away?")
    _poll(world, space, "Next week?")
    Poll.objects.filter(pk=far.pk).update(closes_at=datetime.datetime(9999, 12, 31, 23, 59, 59, tzinfo=datetime.UTC))
    for person in (world.owner, world.member, world.guest):
        summaries = _summaries(client, person)
        assert "Vote closes: Next week?" in summaries
        assert "Vote closes: Far away?" not in summaries


def test_a_vote_closing_on_the_last_day_in_a_time_zone_ahead_of_utc(world: World, client) -> None:
    # In the person's time zone the instant falls in year 10000: not representable either.
    space = _project(world)
    world.owner.time_zone = "Pacific/Kiritimati"
    world.owner.save(update_fields=["time_zone"])
    far = _poll(world, space, "Far away?")
    Poll.objects.filter(pk=far.pk).update(closes_at=datetime.datetime(9999, 12, 31, 23, 0, tzinfo=datetime.UTC))
    assert "Vote closes: Far away?" not in _summaries(client, world.owner)


def test_vote_deadlines_fall_on_the_persons_own_day(world: World, client) -> None:
    space = _project(world)
    poll = _poll(world, space, "Late in the evening?")
    closes = datetime.datetime.combine(_soon(5), datetime.time(23, 30), tzinfo=datetime.UTC)
    Poll.objects.filter(pk=poll.pk).update(closes_at=closes)
    world.owner.time_zone = "Europe/Paris"
    world.owner.save(update_fields=["time_zone"])
    response = client.get(f"/calendar/{actions.rotate_calendar_token(world.owner)}.ics")
    (event,) = [e for e in Calendar.from_ical(response.content).walk("VEVENT") if "Late" in str(e["summary"])]
    assert event.decoded("dtstart") == _soon(6)  # 00:30 the next day in Paris


def test_tasks_milestones_and_deadlines_on_the_last_day_are_left_out(world: World, client) -> None:
    space = _project(world)
    kept = actions.create_task(world.owner, space=space, title="Kept", due_date=_soon(2), assignee_ids=[world.owner.pk])
    far = actions.create_task(world.owner, space=space, title="Far", due_date=_soon(3), assignee_ids=[world.owner.pk])
    Task.objects.filter(pk=far.pk).update(due_date=LAST_DAY)
    milestone = actions.create_milestone(world.owner, space=space, title="Omega", date=_soon(4))
    Milestone.objects.filter(pk=milestone.pk).update(date=LAST_DAY)
    actions.update_plan(world.owner, space=space, deadline=_soon(30))
    ProjectPlan.objects.filter(space=space).update(deadline=LAST_DAY)
    assert _summaries(client, world.owner) == {f"Task due: {kept.title}"}
