from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from icalendar import Calendar

from alveole.core.errors import Conflict, Invalid, NotFound, PermissionDenied
from alveole.feed.actions import create_comment, create_post
from alveole.live.events import registry
from alveole.live.models import Event
from alveole.notifications.models import Kind, Notification
from alveole.projects import actions, jobs, selectors
from alveole.projects.access import get_task_for
from alveole.projects.models import Task
from alveole.spaces.models import Space, SpaceKind
from alveole.testing import World

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today


@pytest.fixture(autouse=True)
def _english() -> object:
    # Actions called directly speak the thread's language: pin it, whatever ran before.
    with translation.override("en"):
        yield


def _project(world: World) -> Space:
    Space.objects.filter(pk=world.private_space.pk).update(kind=SpaceKind.PROJECT)
    world.private_space.refresh_from_db()
    return world.private_space


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


# --- actions and access -------------------------------------------------------------------


def test_create_task_renders_sanitized_markdown_and_publishes(world: World, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        task = actions.create_task(
            world.member,
            space=world.private_space,
            title="  Write   the brief ",
            description="**bold** <script>alert(1)</script>",
            assignee_ids=[world.guest.pk, world.owner.pk],
            due_date=days(3),
            checklist=["outline", "draft"],
        )
    assert task.title == "Write the brief"
    assert "<strong>bold</strong>" in task.description_html and "<script" not in task.description_html
    event = Event.objects.filter(type="task.created").get()
    assert event.space_id == world.private_space.pk
    state = registry()["task.created"].model_validate({"type": "task.created", **event.data})
    assert state.task.checklist_total == 2  # type: ignore[attr-defined]
    assert {n.user for n in Notification.objects.filter(kind=Kind.TASK_ASSIGNED)} == {world.guest, world.owner}


def test_assignees_who_cannot_see_the_space_are_refused(world: World) -> None:
    with pytest.raises(Invalid) as exc:
        actions.create_task(world.member, space=world.private_space, title="x", assignee_ids=[world.nonmember.pk])
    assert "cannot see this space" in exc.value.fields["assignee_ids"]
    with pytest.raises(Invalid):
        actions.create_task(world.member, space=world.private_space, title="x", assignee_ids=[world.other.pk])
    assert not Task.objects.exists()


def test_assignee_refusal_is_a_clear_400_in_the_api(world: World, api_client_for) -> None:
    response = api_client_for(world.member).post(
        f"/api/v1/spaces/{world.private_space.pk}/tasks",
        {"title": "Brief", "assignee_ids": [world.nonmember.pk]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "cannot see this space" in response.json()["fields"]["assignee_ids"]


def test_only_members_work_on_tasks_and_access_hides_the_rest(world: World) -> None:
    task = actions.create_task(world.member, space=world.private_space, title="Secret")
    for outsider in (world.nonmember, world.admin, world.other):
        with pytest.raises(NotFound):
            get_task_for(outsider, task.pk)
    with pytest.raises(PermissionDenied):
        actions.create_task(world.nonmember, space=world.open_space, title="Not a member")
    assert get_task_for(world.guest, task.pk) == task
    with pytest.raises(PermissionDenied):
        actions.delete_task(world.guest, task=task)
    actions.delete_task(world.owner, task=task)  # a manager
    assert not Task.objects.exists()


def test_status_checklist_and_comments(world: World) -> None:
    task = actions.create_task(world.member, space=world.private_space, title="Ship")
    item = actions.add_checklist_item(world.guest, task=task, text="test")
    actions.update_checklist_item(world.guest, item=item, done=True)
    actions.comment_on_task(world.guest, task=task, body="On it _now_")
    actions.set_task_status(world.guest, task=task, status="done")
    task.refresh_from_db()
    assert task.status == "done" and task.completed_at is not None
    assert task.comments.get().body_html.strip() == "<p>On it <em>now</em></p>"
    with pytest.raises(Invalid):
        actions.set_task_status(world.guest, task=task, status="finished")


def test_task_from_post_and_comment_links_back(world: World) -> None:
    post, _ = create_post(world.owner, space=world.private_space, body="Can someone *book the venue*?")
    comment, _ = create_comment(world.guest, post=post, body="I will call them")
    task = actions.create_task_from_post(world.member, post=post)
    assert task.title == "Can someone book the venue?" and task.source_post == post
    from_comment = actions.create_task_from_post(world.member, post=post, comment=comment)
    assert from_comment.source_comment == comment and from_comment.space == world.private_space


def test_plan_is_for_project_spaces_and_managers(world: World) -> None:
    with pytest.raises(Conflict):
        actions.update_plan(world.owner, space=world.private_space, deadline=days(30))
    space = _project(world)
    with pytest.raises(PermissionDenied):
        actions.update_plan(world.member, space=space, deadline=days(30))
    with pytest.raises(Invalid):
        actions.update_plan(world.owner, space=space, start_date=days(5), deadline=days(1))
    actions.update_plan(world.owner, space=space, start_date=days(-5), deadline=days(30), status="active")
    actions.create_milestone(world.owner, space=space, title="Beta", date=days(10))
    met = actions.create_milestone(world.owner, space=space, title="Kick-off", date=days(-5))
    actions.update_milestone(world.owner, milestone=met, done=True)
    actions.create_task(world.member, space=space, title="Done one", status="done")
    actions.create_task(world.member, space=space, title="Due", due_date=days(4))
    view = selectors.plan_of(world.member, space)
    assert (view.progress.tasks_done, view.progress.tasks_total) == (1, 2)
    assert (view.progress.milestones_met, view.progress.milestones_total, view.progress.days_left) == (1, 2, 30)
    assert [(e.kind, e.title) for e in view.timeline] == [
        ("milestone", "Kick-off"), ("task", "Due"), ("milestone", "Beta"), ("deadline", ""),
    ]  # fmt: skip
    assert Event.objects.filter(type="project.plan_changed").count() == 4


# --- my tasks --------------------------------------------------------------------------------


def test_my_tasks_late_first_then_by_due_date(world: World) -> None:
    mine = [world.member.pk]
    later = actions.create_task(world.owner, space=world.open_space, title="later", due_date=days(9), assignee_ids=mine)
    undated = actions.create_task(world.owner, space=world.open_space, title="undated", assignee_ids=mine)
    late = actions.create_task(
        world.owner, space=world.private_space, title="late", due_date=days(-1), assignee_ids=mine
    )
    very_late = actions.create_task(
        world.owner, space=world.private_space, title="very", due_date=days(-7), assignee_ids=mine
    )
    soon = actions.create_task(
        world.owner, space=world.private_space, title="soon", due_date=days(1), assignee_ids=mine
    )
    actions.create_task(world.owner, space=world.open_space, title="done", status="done", assignee_ids=mine)
    actions.create_task(world.owner, space=world.open_space, title="not mine", due_date=days(-3))
    assert list(selectors.my_tasks(world.member)) == [very_late, late, soon, later, undated]


def test_my_tasks_api_and_page(world: World, api_client_for, client_for) -> None:
    actions.create_task(world.owner, space=world.private_space, title="Call the client", assignee_ids=[world.guest.pk])
    items = api_client_for(world.guest).get("/api/v1/me/tasks").json()["items"]
    assert [i["title"] for i in items] == ["Call the client"]
    assert "Call the client" in client_for(world.guest).get("/tasks/").content.decode()
    assert api_client_for(world.nonmember).get("/api/v1/me/tasks").json()["items"] == []


# --- reminders --------------------------------------------------------------------------------


def test_reminders_before_the_due_date_and_once_when_late(world: World, settings) -> None:
    settings.ALVEOLE_TASK_REMINDER_HOURS = 48
    soon = actions.create_task(world.owner, space=world.private_space, title="soon", due_date=days(1),
                               assignee_ids=[world.member.pk, world.owner.pk])  # fmt: skip
    actions.create_task(world.owner, space=world.private_space, title="far", due_date=days(10),
                        assignee_ids=[world.member.pk])  # fmt: skip
    assert jobs.send_task_reminders.call() == 1
    assert jobs.send_task_reminders.call() == 0  # once
    due = Notification.objects.filter(kind=Kind.TASK_DUE)
    assert {n.user for n in due} == {world.member, world.owner}  # the creator is reminded of their own task too
    Notification.objects.update(read_at=timezone.now())
    Task.objects.filter(pk=soon.pk).update(due_date=days(-1))
    assert jobs.send_task_reminders.call() == 1  # now late: told once more
    assert jobs.send_task_reminders.call() == 0
    assert Notification.objects.filter(kind=Kind.TASK_DUE, read_at__isnull=True).count() == 2
    actions.set_task_status(world.member, task=soon, status="done")
    Task.objects.filter(pk=soon.pk).update(due_date=days(-2))
    assert jobs.send_task_reminders.call() == 0  # done tasks are never reminded


def test_reminder_job_is_on_the_schedule() -> None:
    from alveole.core.periodic import schedule

    assert any(path == "alveole.projects.jobs.send_task_reminders" for path, _every in schedule())


# --- calendar ---------------------------------------------------------------------------------


def _feed(client, token: str) -> Calendar:
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def _summaries(cal: Calendar) -> set[str]:
    return {str(e["summary"]) for e in cal.walk("VEVENT")}


def test_calendar_feed_parses_and_holds_only_what_the_person_sees(world: World, client) -> None:
    space = _project(world)
    actions.update_plan(world.owner, space=space, deadline=days(30))
    actions.create_milestone(world.owner, space=space, title="Beta", date=days(10))
    actions.create_task(world.owner, space=space, title="Brief", due_date=days(2), assignee_ids=[world.guest.pk])
    actions.create_task(world.owner, space=world.open_space, title="Open chore", due_date=days(3),
                        assignee_ids=[world.member.pk])  # fmt: skip
    actions.create_task(world.owner, space=space, title="No date", assignee_ids=[world.guest.pk])

    guest = _feed(client, actions.rotate_calendar_token(world.guest))
    assert guest["prodid"] and guest["version"] == "2.0"
    assert _summaries(guest) == {"Task due: Brief", "Milestone: Beta", f"Deadline: {space.name}"}
    for event in guest.walk("VEVENT"):
        assert isinstance(event.decoded("dtstart"), datetime.date)
        assert not isinstance(event.decoded("dtstart"), datetime.datetime)  # all-day
        assert event["uid"] and event.get("dtstamp") is not None
    uids = {str(e["uid"]) for e in guest.walk("VEVENT")}
    again = _feed(client, actions.rotate_calendar_token(world.guest))
    assert {str(e["uid"]) for e in again.walk("VEVENT")} == uids  # stable

    nonmember = _feed(client, actions.rotate_calendar_token(world.nonmember))
    assert _summaries(nonmember) == set()
    member = _feed(client, actions.rotate_calendar_token(world.member))
    assert "Task due: Open chore" in _summaries(member) and "Task due: Brief" not in _summaries(member)


def test_calendar_token_rotation_and_revocation(world: World, client) -> None:
    first = actions.rotate_calendar_token(world.member)
    assert client.get(f"/calendar/{first}.ics").status_code == 200
    second = actions.rotate_calendar_token(world.member)
    assert client.get(f"/calendar/{first}.ics").status_code == 404
    assert client.get(f"/calendar/{second}.ics").status_code == 200
    actions.revoke_calendar_token(world.member)
    assert client.get(f"/calendar/{second}.ics").status_code == 404
    assert client.get("/calendar/nonsense.ics").status_code == 404


def test_calendar_api_shows_the_address_once(world: World, api_client_for) -> None:
    client = api_client_for(world.member)
    assert client.get("/api/v1/me/calendar").json()["active"] is False
    url = client.post("/api/v1/me/calendar/rotate").json()["url"]
    assert url.endswith(".ics") and "/calendar/cal_" in url
    state = client.get("/api/v1/me/calendar").json()
    assert state["active"] is True and state["url"] is None


# --- queries ----------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["api", "web"])
def test_space_task_list_query_count_is_independent_of_size(world: World, api_client_for, client_for, page) -> None:
    client = api_client_for(world.member) if page == "api" else client_for(world.member)
    pk = world.private_space.pk
    path = f"/api/v1/spaces/{pk}/tasks" if page == "api" else f"/spaces/{pk}/tasks/"

    def count(n: int) -> int:
        Task.objects.all().delete()
        for i in range(n):
            task = actions.create_task(world.owner, space=world.private_space, title=f"t{i}", due_date=days(i),
                                       assignee_ids=[world.member.pk, world.guest.pk])  # fmt: skip
            actions.add_checklist_item(world.owner, task=task, text="step")
        client.get(path)  # warm caches (session, token touch)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    assert count(5) == count(30)


# --- web pages ---------------------------------------------------------------------------------


def test_web_create_task_and_make_a_task_from_a_post(world: World, client_for) -> None:
    client = client_for(world.member)
    response = client.post(
        f"/spaces/{world.private_space.pk}/tasks/",
        {"task-title": "Book room", "task-status": "todo", "task-assignees": [str(world.guest.pk)]},
    )
    assert response.status_code == 302
    task = Task.objects.get()
    assert list(task.assignees.all()) == [world.guest]
    refused = client.post(
        f"/spaces/{world.private_space.pk}/tasks/",
        {"task-title": "Nope", "task-status": "todo", "task-assignees": [str(world.nonmember.pk)]},
    )
    assert refused.status_code == 400  # not a choice: the nonmember cannot see the space
    post, _ = create_post(world.owner, space=world.private_space, body="Please review the contract")
    feed = client.get(f"/spaces/{world.private_space.pk}/").content.decode()
    assert f"/posts/{post.pk}/task/" in feed
    made = client.post(f"/posts/{post.pk}/task/")
    assert made.status_code == 302
    created = Task.objects.get(source_post=post)
    assert made["Location"] == f"/tasks/{created.pk}/"
    page = client.get(made["Location"]).content.decode()
    assert "Please review the contract" in page


def test_project_header_shows_deadline_and_progress(world: World, client_for) -> None:
    space = _project(world)
    actions.update_plan(world.owner, space=space, deadline=days(12))
    actions.create_task(world.owner, space=space, title="a", status="done")
    actions.create_task(world.owner, space=space, title="b")
    html = client_for(world.member).get(f"/spaces/{space.pk}/").content.decode()
    assert "<progress" in html and 'max="2" value="1"' in html and "12 days left" in html
    assert f"/spaces/{space.pk}/plan/" in html and f"/spaces/{space.pk}/tasks/" in html


# --- events and the decisions hook -------------------------------------------------------------


def test_applying_task_events_reaches_what_a_fresh_fetch_shows(world: World, api_client_for) -> None:
    task = actions.create_task(world.member, space=world.private_space, title="Draft", checklist=["a", "b"])
    item = task.checklist.first()
    assert item is not None
    actions.update_checklist_item(world.guest, item=item, done=True)
    actions.update_task(world.owner, task=task, title="Final draft", assignee_ids=[world.guest.pk], due_date=days(2))
    actions.set_task_status(world.guest, task=task, status="doing")
    state: dict = {}
    kinds = registry()
    for event in Event.objects.filter(type__startswith="task.").order_by("seq"):
        parsed = kinds[event.type].model_validate({"type": event.type, **event.data})
        state = parsed.task.model_dump(mode="json")  # type: ignore[attr-defined]
    fresh = api_client_for(world.member).get(f"/api/v1/tasks/{task.pk}").json()
    for key in ("title", "status", "due_date", "checklist_done", "checklist_total", "description_html"):
        assert state[key] == fresh[key], key
    assert [a["id"] for a in state["assignees"]] == [a["id"] for a in fresh["assignees"]]
    task_id = task.pk
    actions.delete_task(world.owner, task=task)
    last = Event.objects.order_by("-seq").first()
    assert last is not None and last.type == "task.deleted" and last.data["task_id"] == task_id


def test_calendar_includes_open_vote_deadlines_when_decisions_provide_them(world: World, client, monkeypatch) -> None:
    import sys
    import types

    from django.apps import apps

    seen = []

    def open_deadlines_for(user):
        seen.append(user)
        return [{"id": 7, "title": "Pick a venue", "deadline": timezone.now() + datetime.timedelta(days=2)}]

    module = types.ModuleType("alveole.decisions.selectors")
    module.open_deadlines_for = open_deadlines_for  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "alveole.decisions.selectors", module)
    real = apps.is_installed
    monkeypatch.setattr(apps, "is_installed", lambda name: name == "alveole.decisions" or real(name))
    cal = _feed(client, actions.rotate_calendar_token(world.member))
    assert "Vote closes: Pick a venue" in _summaries(cal) and seen == [world.member]


def test_a_decision_spawns_a_task_linked_to_its_discussion(world):
    import datetime as dt

    from django.utils import timezone

    from alveole.decisions import actions as decisions
    from alveole.projects import actions as project_actions

    poll = decisions.create_poll(
        world.owner, space=world.private_space, question="Venue?", options=["A", "B"],
        closes_at=timezone.now() + dt.timedelta(days=1),
    )  # fmt: skip
    decision = decisions.close_poll(world.owner, poll=poll, outcome="Book venue A")
    task = project_actions.create_task_from_decision(world.member, decision=decision)
    assert task.space == world.private_space and task.title == "Book venue A"
    assert task.source_post_id == decision.post_id
