"""The insights page, its charts and CSV files: who gets them, what they hold, how many queries."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alveole.feed.models import Post
from alveole.testing import World

from .conftest import make_manager

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_now")]


def test_an_owner_sees_the_page_with_its_charts_tables_and_files(world: World, known, client_for) -> None:
    client = client_for(world.owner)
    response = client.get("/insights/")
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("activity", "guests", "questions", "decisions", "tasks"):
        assert f'src="/insights/charts/{name}.svg"' in html
        assert f'href="/insights/{name}.csv"' in html
    assert 'href="/insights/most-read.csv"' in html and f'href="/posts/{known.p1.pk}/"' in html
    assert "<details" in html and "Show the figures" in html
    assert 'href="/insights/"' in html  # the nav entry


def test_a_chart_is_an_svg_with_no_script_and_its_own_policy(world: World, known, client_for) -> None:
    response = client_for(world.owner).get("/insights/charts/activity.svg?size=narrow")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert response["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    body = response.content.decode()
    assert body.startswith("<?xml") and "<svg" in body and "<script" not in body
    assert "Active people" in body
    assert client_for(world.owner).get("/insights/charts/nothing.svg").status_code == 404


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_csv_files_hold_the_figures(world: World, known, client_for) -> None:
    client = client_for(world.owner)
    response = client.get("/insights/activity.csv?weeks=52")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] == ["Week of", "Posts", "Comments", "Reactions", "Active people"]
    assert len(rows) == 53
    # 52 weeks: the post of October counts too.
    assert sum(int(row[1]) for row in rows[1:]) == 7 and sum(int(row[2]) for row in rows[1:]) == 5
    top = _csv(client.get("/insights/most-read.csv?weeks=52"))
    assert top[0] == ["Post", "Text", "Space", "Author", "Posted on", "Readers"]
    assert [row[0] for row in top[1:]] == [str(known.p1.pk), str(known.p6.pk), str(known.p2.pk)]
    assert top[1][2:4] == ["Everyone", "Mia Member"]


def test_a_formula_in_a_post_is_not_run_by_a_spreadsheet(world: World, known, client_for) -> None:
    Post.objects.filter(pk=known.p1.pk).update(body="=HYPERLINK(1)", created_at=known.p1.created_at)
    rows = _csv(client_for(world.owner).get("/insights/most-read.csv?weeks=52"))
    assert rows[1][1] == "'=HYPERLINK(1)"


def test_a_manager_gets_only_their_spaces_and_others_are_refused(world: World, known, client_for) -> None:
    member = client_for(world.member)
    assert member.get("/insights/").status_code == 403
    assert member.get("/insights/charts/activity.svg").status_code == 403
    assert member.get("/insights/activity.csv").status_code == 403
    assert 'href="/insights/"' not in member.get("/").content.decode()
    make_manager(world.member, world.open_space)
    assert 'href="/insights/"' in member.get("/").content.decode()
    page = member.get("/insights/").content.decode()
    assert world.open_space.name in page and f'<option value="{world.private_space.pk}"' not in page
    assert member.get(f"/insights/?space={world.private_space.pk}").status_code == 403
    assert member.get(f"/insights/activity.csv?space={world.other_space.pk}").status_code == 404
    rows = _csv(member.get("/insights/most-read.csv?weeks=52"))
    assert {row[2] for row in rows[1:]} == {"Everyone"}  # never the private space's posts
    for viewer in (world.guest, world.nonmember):
        assert client_for(viewer).get("/insights/").status_code == 403
    assert client_for(world.other).get(f"/insights/?space={world.open_space.pk}").status_code == 404


def test_bad_input_is_a_sentence(world: World, client_for) -> None:
    client = client_for(world.owner)
    for query in ("weeks=0", "weeks=abc", "weeks=500"):
        response = client.get(f"/insights/?{query}")
        assert response.status_code == 400 and b"between 1 and 104" in response.content
    assert client.get("/insights/?space=abc").status_code == 404


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_page_takes_a_fixed_number_of_queries(world: World, known, client_for) -> None:
    client = client_for(world.owner)
    client.get("/insights/")  # warm the session and the caches
    before = _queries(client, "/insights/")
    for _ in range(5):
        Post.objects.create(organisation=world.org, space=world.open_space, author=world.member, body="More")
    assert _queries(client, "/insights/") == before
    assert before <= 18, (
        before
    )  # the layout (session, account, my organisations, nav, bell, messages), the scope, ten figures
    assert _queries(client, "/insights/charts/activity.svg") <= before - 7
