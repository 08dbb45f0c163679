"""The figures on known data (conftest.known), exact, for an owner, an admin, a space's manager and
another organisation's owner."""

from __future__ import annotations

import datetime

import pytest

from alveole.core.errors import NotFound, PermissionDenied
from alveole.insights import selectors
from alveole.insights.access import may_see_insights, scope_for
from alveole.testing import World

from .conftest import NOW, W1, W2, W3, W4, Known, make_manager

pytestmark = pytest.mark.django_db
PERIOD = selectors.period_of(4, now=NOW)
NOVEMBER = datetime.date(2026, 11, 1)


def _activity(viewer, space=None) -> list[tuple]:
    weeks = selectors.activity(scope_for(viewer, space), PERIOD)
    return [(w.week, w.posts, w.comments, w.reactions, w.people) for w in weeks]


def test_the_period_is_the_last_weeks_from_monday() -> None:
    assert PERIOD.weeks == (W1, W2, W3, W4)
    assert PERIOD.start.date() == W1 and PERIOD.months == (NOVEMBER,)
    assert selectors.period_of(6, now=NOW).months == (datetime.date(2026, 10, 1), NOVEMBER)


def test_an_owner_sees_the_whole_organisation(world: World, known: Known) -> None:
    assert _activity(world.owner) == [(W1, 1, 2, 1, 3), (W2, 1, 1, 0, 2), (W3, 2, 2, 1, 3), (W4, 2, 0, 0, 2)]
    guests = [(w.guest_posts, w.guest_comments, w.guest_reactions, w.guests)
              for w in selectors.activity(scope_for(world.owner), PERIOD)]  # fmt: skip
    assert guests == [(0, 0, 0, 0), (0, 0, 0, 0), (1, 1, 1, 1), (0, 0, 0, 0)]


def test_most_read_and_most_commented_count_only_what_everyone_sees(world: World, known: Known) -> None:
    scope = scope_for(world.owner)
    read = [(top.post, top.count) for top in selectors.most_read(scope, PERIOD)]
    assert read == [(known.p1, 3), (known.p6, 2), (known.p2, 1)]  # the deleted post's 4 reads do not count
    commented = [(top.post, top.count) for top in selectors.most_commented(scope, PERIOD)]
    assert commented == [(known.p1, 2), (known.q2, 1), (known.p6, 1), (known.p2, 1)]
    assert [top.post for top in selectors.most_commented(scope, PERIOD, limit=1)] == [known.p1]


def test_questions_and_the_median_time_to_an_answer(world: World, known: Known) -> None:
    questions = selectors.questions(scope_for(world.owner), PERIOD)
    assert [(w.asked, w.answered) for w in questions.weeks] == [(0, 0), (1, 1), (1, 1), (1, 0)]
    assert (questions.asked, questions.answered) == (3, 2)
    assert questions.median_seconds == (3 * 3600 + 24 * 3600) // 2  # a deleted answer is no answer


def test_decisions_per_month_leave_out_held_posts_and_other_months(world: World, known: Known) -> None:
    assert selectors.decisions_per_month(scope_for(world.owner), PERIOD) == [(NOVEMBER, 2)]


def test_tasks_done_and_late_per_week(world: World, known: Known) -> None:
    weeks = [(w.done, w.done_on_time, w.late, w.still_open) for w in selectors.tasks(scope_for(world.owner), PERIOD)]
    assert weeks == [(1, 1, 0, 0), (1, 0, 1, 0), (0, 0, 2, 2), (1, 1, 0, 0)]


def test_a_manager_sees_only_the_spaces_they_manage(world: World, known: Known) -> None:
    assert not may_see_insights(world.member)
    with pytest.raises(PermissionDenied):
        scope_for(world.member)
    make_manager(world.member, world.open_space)
    assert may_see_insights(world.member)
    scope = scope_for(world.member)
    assert scope.space_ids == (world.open_space.pk,) and not scope.profiles
    assert _activity(world.member) == [(W1, 1, 2, 1, 3), (W2, 1, 1, 0, 2), (W3, 0, 0, 0, 0), (W4, 1, 0, 0, 1)]
    assert [t.post for t in selectors.most_read(scope, PERIOD)] == [known.p1, known.p2]
    questions = selectors.questions(scope, PERIOD)
    assert (questions.asked, questions.answered, questions.median_seconds) == (2, 1, 3 * 3600)
    assert selectors.decisions_per_month(scope, PERIOD) == [(NOVEMBER, 1)]
    assert [w.late for w in selectors.tasks(scope, PERIOD)] == [0, 1, 1, 0]
    # The private space is theirs to read, not to manage: refused; one they cannot see: not found.
    with pytest.raises(PermissionDenied):
        scope_for(world.member, world.private_space.pk)
    with pytest.raises(NotFound):
        scope_for(world.member, world.other_space.pk)


def test_an_admin_counts_the_spaces_they_see_and_profile_posts(world: World, known: Known) -> None:
    # The admin is in neither space: the private one is not theirs to see, so not theirs to count.
    assert _activity(world.admin) == [(W1, 1, 2, 1, 3), (W2, 1, 1, 0, 2), (W3, 0, 0, 0, 0), (W4, 2, 0, 0, 2)]
    assert _activity(world.admin, world.open_space.pk)[3] == (W4, 1, 0, 0, 1)  # a space: no profile posts
    with pytest.raises(NotFound):
        scope_for(world.admin, world.private_space.pk)


def test_guests_and_other_organisations_never_see_these_figures(world: World, known: Known) -> None:
    for viewer in (world.guest, world.nonmember):
        assert not may_see_insights(viewer)
        with pytest.raises(PermissionDenied):
            scope_for(viewer)
    assert _activity(world.other) == [(W1, 1, 0, 0, 1), (W2, 0, 0, 0, 0), (W3, 0, 0, 0, 0), (W4, 0, 0, 0, 0)]
    with pytest.raises(NotFound):
        scope_for(world.other, world.open_space.pk)


def test_bad_space_ids_are_not_found(world: World) -> None:
    for bad in ("abc", "-1", "99999999", "1.5"):
        with pytest.raises(NotFound):
            scope_for(world.owner, bad)
