"""The task board: columns, moves and the state they keep in step, rights, live events."""

from __future__ import annotations

import pytest
from django.utils import translation

from alveole.core.errors import Conflict, Invalid, NotFound, PermissionDenied
from alveole.core.models import AuditEvent
from alveole.live.events import registry
from alveole.live.models import Event
from alveole.projects import actions, selectors
from alveole.projects.access import get_column_for
from alveole.projects.models import BoardColumn, Task, TaskStatus
from alveole.spaces.models import Space, SpaceKind
from alveole.testing import World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> object:
    with translation.override("en"):
        yield


def _columns(world: World) -> dict[str, BoardColumn]:
    return {c.label: c for c in actions.board_columns(world.private_space)}


def test_default_columns_made_once_and_tasks_made_before_join_by_state(world: World) -> None:
    space = world.private_space
    open_task = actions.create_task(world.member, space=space, title="Open")
    done_task = actions.create_task(world.member, space=space, title="Finished", status="done")
    assert open_task.column_id is None  # no board yet: nothing to place it on
    columns = actions.board_columns(space)
    assert [(c.label, c.status) for c in columns] == [("To do", "todo"), ("Doing", "doing"), ("Done", "done")]
    assert actions.board_columns(space) == columns and BoardColumn.objects.filter(space=space).count() == 3
    open_task.refresh_from_db()
    done_task.refresh_from_db()
    assert open_task.column == columns[0] and done_task.column == columns[2]
    # Once the board exists, a new task goes to the bottom of its state's first column.
    later = actions.create_task(world.member, space=space, title="Later")
    assert later.column == columns[0] and later.board_position == 1


def test_move_keeps_state_and_order_and_publishes(world: World, django_capture_on_commit_callbacks) -> None:
    cols = _columns(world)
    a, _b, c = (actions.create_task(world.member, space=world.private_space, title=t) for t in "abc")
    with django_capture_on_commit_callbacks(execute=True):
        actions.move_task(world.guest, task=c, column=cols["To do"], position=0)
    order = Task.objects.filter(column=cols["To do"]).order_by("board_position").values_list("title", flat=True)
    assert list(order) == ["c", "a", "b"]
    actions.move_task(world.member, task=a, column=cols["Done"])
    a.refresh_from_db()
    assert a.status == TaskStatus.DONE and a.completed_at is not None and a.column == cols["Done"]
    event = Event.objects.filter(type="task.moved").order_by("-seq").first()
    assert event is not None and event.space_id == world.private_space.pk
    parsed = registry()["task.moved"].model_validate({"type": event.type, **event.data})
    assert parsed.task.status == "done" and parsed.task.column_id == cols["Done"].pk  # type: ignore[attr-defined]
    assert parsed.counts == {cols["To do"].pk: 2, cols["Done"].pk: 1}  # type: ignore[attr-defined]
    assert AuditEvent.objects.filter(action="task.move", actor=world.member).exists()
    # Out of Done again: open once more, and My tasks shows it.
    actions.update_task(world.member, task=a, assignee_ids=[world.member.pk])
    actions.move_task(world.member, task=a, column=cols["Doing"], position=5)
    a.refresh_from_db()
    assert a.status == "doing" and a.completed_at is None and a.board_position == 0
    assert a in selectors.my_tasks(world.member)


def test_status_changed_elsewhere_moves_the_card(world: World) -> None:
    cols = _columns(world)
    task = actions.create_task(world.member, space=world.private_space, title="Elsewhere")
    actions.set_task_status(world.member, task=task, status="done")
    task.refresh_from_db()
    assert task.column == cols["Done"]
    actions.update_task(world.member, task=task, status="doing")
    task.refresh_from_db()
    assert task.column == cols["Doing"]


def test_custom_column_is_a_kind_of_its_state(world: World) -> None:
    cols = _columns(world)
    review = actions.add_column(world.owner, space=world.private_space, name=" Review ", status="doing", wip_limit=2)
    labels = [c.label for c in actions.board_columns(world.private_space)]
    assert labels == ["To do", "Doing", "Review", "Done"]  # before Done
    task = actions.create_task(world.member, space=world.private_space, title="Check")
    actions.move_task(world.member, task=task, column=review)
    task.refresh_from_db()
    assert task.status == "doing"
    with pytest.raises(Conflict):
        actions.delete_column(world.owner, column=review)  # not empty
    with pytest.raises(Conflict):
        actions.delete_column(world.owner, column=cols["Done"])  # the only Done column
    with pytest.raises(Invalid):
        actions.add_column(world.owner, space=world.private_space, name="review")
    with pytest.raises(Invalid):
        actions.add_column(world.owner, space=world.private_space, name="QA", wip_limit=0)
    actions.update_column(world.owner, column=review, name="Peer review", position=0)
    assert actions.board_columns(world.private_space)[0].label == "Peer review"
    actions.move_task(world.member, task=task, column=cols["Done"])
    actions.delete_column(world.owner, column=review)
    assert [c.position for c in actions.board_columns(world.private_space)] == [0, 1, 2]
    assert Event.objects.filter(type="board.changed").count() == 3


def test_rights(world: World) -> None:
    cols = _columns(world)
    task = actions.create_task(world.member, space=world.private_space, title="Mine")
    with pytest.raises(PermissionDenied):
        actions.add_column(world.member, space=world.private_space, name="Review")
    with pytest.raises(PermissionDenied):
        actions.update_column(world.guest, column=cols["Doing"], name="Busy")
    with pytest.raises(NotFound):
        get_column_for(world.nonmember, cols["Doing"].pk)  # a private space's column
    with pytest.raises(NotFound):
        get_column_for(world.other, cols["Doing"].pk)
    # A column of another space never takes the task.
    open_cols = actions.board_columns(world.open_space)
    with pytest.raises(Invalid):
        actions.move_task(world.owner, task=task, column=open_cols[1])
    with pytest.raises(Invalid):
        actions.move_task(world.owner, task=task, column=cols["Doing"], position=-1)


# --- the page and the API ---------------------------------------------------------------------


def test_board_page_filters_and_moves_without_javascript(world: World, client_for) -> None:
    import datetime

    from alveole.projects.models import Milestone

    space = world.private_space
    today = selectors.today()
    actions.create_task(world.member, space=space, title="Mine soon", assignee_ids=[world.member.pk], due_date=today)
    late = actions.create_task(world.member, space=space, title="Late one", due_date=today - datetime.timedelta(days=3))
    actions.create_task(world.member, space=space, title="Far away", due_date=today + datetime.timedelta(days=90))
    client = client_for(world.guest)
    page = client.get(f"/spaces/{space.pk}/board/")
    html = page.content.decode()
    assert page.status_code == 200 and "Mine soon" in html and "Late one" in html and "Move to…" in html
    cols = _columns(world)
    assert html.count('data-column="') == 3
    mine = client.get(f"/spaces/{space.pk}/board/?assignee={world.member.pk}").content.decode()
    assert "Mine soon" in mine and "Late one" not in mine
    assert "<span data-count>3</span>" in mine  # the count is the column's, whatever the filter
    overdue = client.get(f"/spaces/{space.pk}/board/?due=late").content.decode()
    assert "Late one" in overdue and "Mine soon" not in overdue
    Milestone.objects.create(space=space, title="Beta", date=today + datetime.timedelta(days=10))
    gamma = Milestone.objects.create(space=space, title="Gamma", date=today + datetime.timedelta(days=100))
    by_gamma = client.get(f"/spaces/{space.pk}/board/?milestone={gamma.pk}").content.decode()
    assert "Far away" in by_gamma and "Mine soon" not in by_gamma
    assert client.get(f"/spaces/{space.pk}/board/?assignee={world.other.pk}").status_code == 400
    assert client.get(f"/spaces/{space.pk}/board/?due=someday").status_code == 400
    # "Move to…": a plain form, back to the board with its filters.
    back = f"/spaces/{space.pk}/board/?due=late"
    response = client.post(f"/tasks/{late.pk}/move/", {"column": cols["Done"].pk, "next": back + "#card-1"})
    assert response.status_code == 302 and response["Location"] == back + "#card-1"
    late.refresh_from_db()
    assert late.status == "done" and late.column == cols["Done"]
    assert client.post(f"/tasks/{late.pk}/move/", {"column": "x"}).status_code == 302
    other_column = actions.board_columns(world.other_space)[0]
    assert client.post(f"/tasks/{late.pk}/move/", {"column": other_column.pk}).status_code == 404
    assert client_for(world.nonmember).get(f"/spaces/{space.pk}/board/").status_code == 404


def test_managers_arrange_columns_on_the_page(world: World, client_for) -> None:
    space = world.private_space
    owner = client_for(world.owner)
    assert "Arrange the columns" in owner.get(f"/spaces/{space.pk}/board/").content.decode()
    assert "Arrange the columns" not in client_for(world.member).get(f"/spaces/{space.pk}/board/").content.decode()
    owner.post(f"/spaces/{space.pk}/board/columns/", {"column-name": "Review", "column-status": "doing"})
    labels = [c.label for c in actions.board_columns(space)]
    assert labels == ["To do", "Doing", "Review", "Done"]
    review = _columns(world)["Review"]
    owner.post(f"/board-columns/{review.pk}/", {"shift": "-1"})
    owner.post(f"/board-columns/{review.pk}/", {"name": "Waiting", "wip_limit": "2"})
    assert [c.label for c in actions.board_columns(space)] == ["To do", "Waiting", "Doing", "Done"]
    done = _columns(world)["Done"]
    response = owner.post(f"/board-columns/{done.pk}/", {"delete": "1"}, follow=True)
    assert "keep this one" in response.content.decode()
    assert client_for(world.member).post(f"/board-columns/{review.pk}/", {"delete": "1"}).status_code == 403
    owner.post(f"/board-columns/{review.pk}/", {"delete": "1"})
    assert [c.label for c in actions.board_columns(space)] == ["To do", "Doing", "Done"]


def test_api_board_and_move(world: World, api_client_for) -> None:
    space = world.private_space
    task = actions.create_task(world.member, space=space, title="Via API")
    api = api_client_for(world.guest)
    board = api.get(f"/api/v1/spaces/{space.pk}/board").json()
    assert [c["name"] for c in board["columns"]] == ["To do", "Doing", "Done"]
    assert board["columns"][0]["tasks"][0]["id"] == task.pk and board["columns"][0]["count"] == 1
    done = board["columns"][2]["id"]
    moved = api.post(f"/api/v1/tasks/{task.pk}/move", {"column_id": done}, content_type="application/json").json()
    assert moved["status"] == "done" and moved["column_id"] == done
    bad = api.post(
        f"/api/v1/tasks/{task.pk}/move", {"column_id": done, "position": -1}, content_type="application/json"
    )
    assert bad.status_code in (400, 422)
    assert api.get(f"/api/v1/spaces/{space.pk}/board?due=soon").status_code in (400, 422)
    assert api.get(f"/api/v1/spaces/{space.pk}/board?milestone_id=99999").status_code == 400


# --- the timeline -------------------------------------------------------------------------------


def test_timeline_is_pygal_svg_without_script_and_a_table(world: World, client_for) -> None:
    import datetime

    space = world.private_space
    Space.objects.filter(pk=space.pk).update(kind=SpaceKind.PROJECT)
    space.refresh_from_db()
    today = selectors.today()
    actions.create_milestone(world.owner, space=space, title="Beta release", date=today + datetime.timedelta(days=9))
    actions.update_plan(world.owner, space=space, deadline=today + datetime.timedelta(days=40))
    actions.create_task(world.member, space=space, title="Footer links", due_date=today + datetime.timedelta(days=3))
    client = client_for(world.guest)
    response = client.get(f"/spaces/{space.pk}/timeline.svg")
    body = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    assert "<script" not in body and "pygal" in body
    assert "Beta release" in body and "Footer links" in body
    page = client.get(f"/spaces/{space.pk}/plan/").content.decode()
    assert f'src="/spaces/{space.pk}/timeline.svg"' in page and "<table" in page and "Beta release" in page
    assert "Today" in page and "Deadline" in page  # the legend, in the page: it stays in view
    # Never squeezed to a phone's width: the box scrolls sideways, the image keeps a readable scale.
    assert 'width="720"' in page
    assert client_for(world.nonmember).get(f"/spaces/{space.pk}/timeline.svg").status_code == 404


# --- the migration ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_puts_existing_tasks_on_a_board_done_ones_in_done(world: World) -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("projects", "0001_initial")], [("projects", "0002_board")]
    try:
        MigrationExecutor(connection).migrate(before)
        old = MigrationExecutor(connection).loader.project_state(before).apps.get_model("projects", "Task")
        for title, status in (("Open", "todo"), ("Busy", "doing"), ("Shipped", "done"), ("Also open", "todo")):
            old.objects.create(
                organisation_id=world.org.pk, space_id=world.private_space.pk, title=title, status=status
            )
        MigrationExecutor(connection).migrate(after)
        columns = list(BoardColumn.objects.filter(space=world.private_space))
        assert [(c.status, c.position) for c in columns] == [("todo", 0), ("doing", 1), ("done", 2)]
        placed = {
            t.title: (t.column.status if t.column else "", t.board_position)
            for t in Task.objects.select_related("column")
        }
        assert placed == {"Open": ("todo", 0), "Also open": ("todo", 1), "Busy": ("doing", 0), "Shipped": ("done", 0)}
        assert not BoardColumn.objects.filter(space=world.open_space).exists()  # no tasks: made on first use
    finally:
        MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.parametrize("page", ["web", "api"])
def test_board_query_count_is_independent_of_size(world: World, api_client_for, client_for, page: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_client_for(world.member) if page == "api" else client_for(world.member)
    pk = world.private_space.pk
    path = f"/api/v1/spaces/{pk}/board" if page == "api" else f"/spaces/{pk}/board/"
    actions.board_columns(world.private_space)

    def count(n: int) -> int:
        Task.objects.all().delete()
        for i in range(n):
            status = ("todo", "doing", "done")[i % 3]
            task = actions.create_task(world.owner, space=world.private_space, title=f"t{i}", status=status,
                                       assignee_ids=[world.member.pk, world.guest.pk])  # fmt: skip
            actions.add_checklist_item(world.owner, task=task, text="step")
        client.get(path)  # warm caches (session, token touch)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    assert count(4) == count(24)
