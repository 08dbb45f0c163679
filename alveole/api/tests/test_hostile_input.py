"""Hostile input gets a 4xx with a sentence, never a 500 (issue 18, items 6 and 8).

Forged page cursors, ids beyond 64 bits, dates beyond what date arithmetic can hold, and text
no database can store, on the API and on the pages. CI runs this file on SQLite and again on
PostgreSQL, where NUL bytes and out-of-range integers used to fail at the database.
"""

from __future__ import annotations

import base64
import datetime
import json
import logging

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ninja import NinjaAPI
from ninja.testing import TestClient

from alveole.api import errors
from alveole.decisions import actions as decision_actions
from alveole.decisions.models import Participation, Poll
from alveole.feed import actions as feed_actions
from alveole.feed.models import Post
from alveole.projects.models import Task
from alveole.shell.api import api
from alveole.testing import World

pytestmark = pytest.mark.django_db

BIG = 99999999999999999999  # above 2**63: no integer column holds it
CURSOR_MESSAGE = "This page cursor is not valid; start again from the first page."
TEXT_MESSAGE = "cannot be stored"


def forged(values: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


FORGED = [
    forged([None, None]),
    forged([{}, 1]),
    forged(["not a date", 1]),
    forged([1e308, 1]),
    forged([True, False]),
    forged([None]),
    forged(["2024-01-01T00:00:00+00:00", 1e308]),
    "%%%",
]


def _tomorrow() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=1)


# --- 1. cursors ----------------------------------------------------------------------------------


API_LISTS = [
    "/api/v1/feed",
    "/api/v1/notifications",
    "/api/v1/search?q=hello",
    "/api/v1/spaces/{space}/posts",
    "/api/v1/topics/launch/posts",
    "/api/v1/members/{member}/posts",
    "/api/v1/spaces",
    "/api/v1/members",
    "/api/v1/audit",
]
PAGES = [
    "/",
    "/notifications/",
    "/spaces/{space}/",
    "/search/?q=hello",
    "/people/{member}/",
    "/people/",
    "/admin/audit/",
]


@pytest.fixture
def posts(world: World) -> list[Post]:
    return [
        feed_actions.create_post(world.owner, space=world.open_space, body=f"hello #launch {i}")[0] for i in range(3)
    ]


def _url(template: str, world: World, cursor: str) -> str:
    path = template.format(space=world.open_space.pk, member=world.owner.pk)
    return f"{path}{'&' if '?' in path else '?'}cursor={cursor}"


@pytest.mark.parametrize("path", API_LISTS)
def test_a_forged_api_cursor_is_a_400_with_a_sentence(world, posts, api_client_for, path):
    client = api_client_for(world.owner)
    for cursor in FORGED:
        response = client.get(_url(path, world, cursor))
        assert response.status_code == 400, (cursor, response.content)
        assert response.json() == {"code": "invalid", "message": CURSOR_MESSAGE, "fields": {"cursor": CURSOR_MESSAGE}}


@pytest.mark.parametrize("path", PAGES)
def test_a_forged_page_cursor_is_a_400_page(world, posts, client_for, path):
    client = client_for(world.owner)
    for cursor in FORGED:
        response = client.get(_url(path, world, cursor))
        assert response.status_code == 400, (cursor, response.status_code)
        assert "start again from the first page" in response.content.decode()


def test_genuine_cursors_still_page_through(world, posts, api_client_for):
    client = api_client_for(world.member)
    first = f"/api/v1/spaces/{world.open_space.pk}/posts?limit=1"
    seen, url = [], first
    while url:
        page = client.get(url).json()
        seen += [p["id"] for p in page["items"]]
        url = f"{first}&cursor={page['next_cursor']}" if page["next_cursor"] else ""
    assert seen == [p.pk for p in reversed(posts)]


def test_a_cursor_from_one_list_is_refused_by_another(world, posts, api_client_for):
    client = api_client_for(world.owner)
    cursor = client.get("/api/v1/feed?limit=1").json()["next_cursor"]
    assert client.get(f"/api/v1/feed?cursor={cursor}").status_code == 200
    assert client.get(f"/api/v1/notifications?cursor={cursor}").status_code == 400
    assert client.get(f"/api/v1/members?cursor={cursor}").status_code == 400


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
any_cursor = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=200),  # no lone surrogates: they cannot travel in a URL
    json_values.map(forged),
    st.tuples(json_values.map(forged), st.text("ABCDEFabcdef0123456789-_", max_size=50)).map(":".join),
)


@settings(max_examples=150, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
@given(cursor=any_cursor, path=st.sampled_from(["/api/v1/feed", "/api/v1/members", "/api/v1/audit", "/api/v1/spaces"]))
def test_any_string_as_a_cursor_gives_200_or_400(world, posts, cursor, path):
    client = Client(headers={"Authorization": f"Bearer {_token(world)}"})
    response = client.get(path, {"cursor": cursor})
    assert response.status_code in (200, 400), (cursor, response.content)
    if response.status_code == 400:
        assert response.json()["code"] == "invalid"


def _token(world: World) -> str:
    from alveole.accounts.actions import create_token

    if not hasattr(world, "_secret"):
        world._secret = create_token(world.owner, name="cursor fuzz")[1]  # type: ignore[attr-defined]
    return world._secret  # type: ignore[attr-defined]


# --- 2. integers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("get", f"/api/v1/presence?user_id={BIG}", None, "user_id.0"),
        ("get", "/api/v1/presence?user_id=-3", None, "user_id.0"),
        ("get", f"/api/v1/decisions?space_id={BIG}", None, "space_id"),
        ("post", "/api/v1/posts", {"space_id": "{space}", "body": "x", "attachment_ids": [BIG]}, "attachment_ids.0"),
        ("post", "/api/v1/spaces/{space}/tasks", {"title": "x", "assignee_ids": [BIG]}, "assignee_ids.0"),
        ("post", "/api/v1/reads", {"post_ids": [BIG]}, "post_ids.0"),
        ("post", "/api/v1/catch-up/done", {"post_ids": [BIG]}, "post_ids.0"),
        ("post", "/api/v1/invitations", {"email": "new@example.com", "space_ids": [BIG]}, "space_ids.0"),
        ("post", "/api/v1/polls/{poll}/vote", {"option_ids": [BIG]}, "option_ids.0"),
        ("put", "/api/v1/spaces/{space}/retention", {"days": BIG}, "days"),
        ("put", "/api/v1/organisation/retention", {"days": -5}, "days"),
        ("post", "/api/v1/spaces/{space}/members", {"user_id": BIG}, "user_id"),
        ("get", f"/api/v1/spaces/{BIG}", None, "space_id"),
        ("get", "/api/v1/spaces/0", None, "space_id"),
        ("get", f"/api/v1/posts/{BIG}/comments", None, "post_id"),
        ("delete", f"/api/v1/tasks/{BIG}", None, "task_id"),
        ("get", f"/api/v1/top-posts?space_id={BIG}", None, "space_id"),
    ],
)
def test_ids_beyond_64_bits_are_a_422_naming_the_field(world, api_client_for, method, path, body, field):
    poll = _poll(world)
    ids = {"space": world.open_space.pk, "poll": poll.pk}
    data = json.dumps(body).replace('"{space}"', str(world.open_space.pk)) if body is not None else ""
    response = api_client_for(world.owner).generic(
        method.upper(), path.format(**ids), data=data, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    payload = response.json()
    assert payload["code"] == "invalid" and field in payload["fields"], payload


def _poll(world: World) -> Poll:
    return decision_actions.create_poll(
        world.owner, space=world.open_space, question="Lunch?", options=["Pizza", "Soup"], closes_at=_tomorrow()
    )


def test_a_vote_form_with_a_huge_option_is_refused(world, client_for):

    poll = _poll(world)
    response = client_for(world.member).post(f"/polls/{poll.pk}/vote/", {"option": str(BIG)}, follow=True)
    assert response.status_code == 200
    assert "Choose among this poll" in response.content.decode()
    assert not Participation.objects.filter(poll=poll).exists()


def test_a_retention_form_with_a_huge_number_is_refused(world, client_for):
    response = client_for(world.owner).post(f"/spaces/{world.private_space.pk}/retention/", {"days": str(BIG)})
    assert response.status_code == 400
    assert "between 30 and 36500 days" in response.content.decode()


def test_huge_ids_in_a_catch_up_form_are_refused(world, client_for):
    response = client_for(world.member).post("/catch-up/done/", {"post_ids": [str(BIG)]})
    assert response.status_code == 400


# --- 3. dates ------------------------------------------------------------------------------------


def test_a_poll_closing_in_year_9999_is_refused_and_not_saved(world, api_client_for, client_for):
    body = {"question": "When?", "options": ["a", "b"], "closes_at": "9999-12-31T23:59:59+00:00"}
    response = api_client_for(world.member).post(
        f"/api/v1/spaces/{world.open_space.pk}/polls", body, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["fields"] == {"closes_at": "Choose a date between 1900-01-01 and 2999-12-31."}
    page = client_for(world.member).post(
        f"/spaces/{world.open_space.pk}/polls/new/",
        {"question": "When?", "options": "a\nb", "closes_at": "9999-12-31T23:59"},
    )
    assert page.status_code == 400
    assert "Choose a date between 1900-01-01 and 2999-12-31." in page.content.decode()
    assert not Poll.objects.exists()


def test_a_proposal_closing_in_year_9999_is_refused(world, api_client_for):
    body = {"statement": "Go", "closes_at": "9999-12-31T00:00:00Z"}
    response = api_client_for(world.member).post(
        f"/api/v1/spaces/{world.open_space.pk}/proposals", body, content_type="application/json"
    )
    assert response.status_code == 422 and "closes_at" in response.json()["fields"]


def test_catch_up_until_year_one_is_refused(world, api_client_for, client_for):
    until = "0001-01-01T00:00:00+14:00"  # converting it to UTC overflows
    response = api_client_for(world.member).post(
        "/api/v1/catch-up/done", {"until": until}, content_type="application/json"
    )
    assert response.status_code == 422 and "until" in response.json()["fields"]
    page = client_for(world.member).post("/catch-up/done/", {"until": "0001-01-01 00:00"})
    assert page.status_code == 400


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("post", "/api/v1/spaces/{space}/tasks", {"title": "t", "due_date": "9999-12-31"}, "due_date"),
        ("post", "/api/v1/spaces/{space}/milestones", {"title": "m", "date": "0001-01-01"}, "date"),
        ("patch", "/api/v1/spaces/{space}/plan", {"deadline": "3000-01-01"}, "deadline"),
        ("get", "/api/v1/decisions?until=9999-12-31", None, "until"),
        ("get", "/api/v1/decisions?since=1899-12-31", None, "since"),
    ],
)
def test_dates_out_of_range_are_a_422(world, api_client_for, method, path, body, field):
    response = api_client_for(world.owner).generic(
        method.upper(),
        path.format(space=world.open_space.pk),
        data=json.dumps(body) if body else "",
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert field in response.json()["fields"]
    assert not Task.objects.exists()


def test_dates_out_of_range_in_forms_are_refused(world, client_for):
    client = client_for(world.owner)
    response = client.post(f"/spaces/{world.open_space.pk}/tasks/", {"title": "Late", "due_date": "9999-12-31"})
    assert response.status_code == 400
    assert not Task.objects.exists()
    # A filter has no action behind it: the form says what is wrong and the page still shows.
    page = client.get("/decisions/", {"until": "9999-12-31"})
    assert page.status_code == 200
    assert "Choose a date between 1900-01-01 and 2999-12-31." in page.content.decode()


def test_the_date_range_is_a_setting(world, api_client_for, settings):
    from alveole.core import bounds

    settings.ALVEOLE_DATE_MAX = "2100-12-31"
    bounds._configured_range.cache_clear()
    response = api_client_for(world.owner).post(
        f"/api/v1/spaces/{world.open_space.pk}/tasks", {"title": "t", "due_date": "2101-01-01"},
        content_type="application/json",
    )  # fmt: skip
    assert response.json()["fields"] == {"due_date": "Choose a date between 1900-01-01 and 2100-12-31."}


# --- 4. text -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ('{"space_id": %(space)d, "body": "x\\ud800"}', "body"),
        ('{"space_id": %(space)d, "body": "a\\u0000b"}', "body"),
        ('{"space_id": %(space)d, "body": "ok", "kind": "update\\u0000"}', "kind"),
    ],
)
def test_unstorable_text_in_a_json_body_is_a_400(world, api_client_for, raw, field):
    response = api_client_for(world.member).post(
        "/api/v1/posts", raw % {"space": world.open_space.pk}, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    payload = response.json()
    assert payload["code"] == "invalid" and TEXT_MESSAGE in payload["fields"][field]
    assert not Post.objects.exists()


def test_unstorable_text_anywhere_in_the_api_request_is_a_400(world, api_client_for):
    client = api_client_for(world.owner)
    poll = client.post(
        f"/api/v1/spaces/{world.open_space.pk}/polls",
        json.dumps({"question": "q", "options": ["a", "b\x00"], "closes_at": _tomorrow().isoformat()}),
        content_type="application/json",
    )
    assert poll.status_code == 400 and "options.1" in poll.json()["fields"]
    assert client.get("/api/v1/members?q=%00").json()["fields"].keys() == {"q"}
    assert client.get("/api/v1/topics/a%00b/posts").status_code == 400
    assert client.patch("/api/v1/me", '{"full_name": "A\\u0000"}', content_type="application/json").status_code == 400
    upload = client.post("/api/v1/files", {"file": _png(), "name": "a\x00.png"})
    assert upload.status_code == 400 and "name" in upload.json()["fields"]


def _png():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("pixel.png", base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    ), content_type="image/png")  # fmt: skip


def test_nul_in_a_form_or_an_address_is_a_400_page(world, client_for):
    client = client_for(world.member)
    response = client.post("/posts/new/", {"space": str(world.open_space.pk), "body": "a\x00b", "kind": "update"})
    assert response.status_code == 400 and TEXT_MESSAGE in response.content.decode()
    assert not Post.objects.exists()
    assert client.get("/search/", {"q": "ab\x00"}).status_code == 400
    assert client.get("/topics/a%00b/").status_code == 400


# --- 5. an unexpected failure still answers in the one error shape ---------------------------------------


def test_an_unexpected_error_is_a_json_500_logged_with_its_traceback(caplog):
    broken = NinjaAPI(urls_namespace="broken-for-test")
    errors.install(broken)

    @broken.get("/boom")
    def boom(request):
        raise ZeroDivisionError("the bug to find")

    with caplog.at_level(logging.ERROR, logger="alveole.api"):
        response = TestClient(broken).get("/boom")
    assert response.status_code == 500
    payload = response.json()
    assert payload["code"] == "server_error" and payload["fields"] == {}
    assert "try again" in payload["message"].lower()
    assert "the bug to find" not in payload["message"]  # no internals for the client
    record = next(r for r in caplog.records if r.name == "alveole.api")
    assert record.exc_info is not None and record.exc_info[0] is ZeroDivisionError


def test_the_real_api_uses_that_handler(rf):
    handler = api._lookup_exception_handler(ZeroDivisionError())
    assert handler is not None
    response = handler(rf.get("/api/v1/feed"), ZeroDivisionError("in the real API"))
    assert response.status_code == 500
    assert json.loads(response.content)["code"] == "server_error"
