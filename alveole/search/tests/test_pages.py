"""The search page and the API: what a person sees, bad input, and a fixed query budget."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from alveole.feed import actions as feed
from alveole.projects import actions as projects


def test_the_page_shows_results_with_the_words_marked(world, client_for):
    post, _ = feed.create_post(world.member, space=world.open_space, body="The <b>budget</b> for the offsite")
    page = client_for(world.nonmember).get("/search/?q=budget").content.decode()
    assert f'data-search-hit="post-{post.pk}"' in page
    # Escaped (SQLite's snippet) or left out as markup (PostgreSQL's ts_headline): never markup.
    assert "<mark>budget</mark>" in page and "<b>budget" not in page
    assert f'href="/posts/{post.pk}/?highlight=budget"' in page  # the opened post marks the word


def test_the_page_filters_by_space_and_refuses_a_space_it_cannot_see(world, client_for):
    feed.create_post(world.member, space=world.open_space, body="Budget open")
    secret, _ = feed.create_post(world.member, space=world.private_space, body="Budget secret")
    page = client_for(world.member).get(f"/search/?q=budget&space={world.private_space.pk}").content.decode()
    assert f'data-search-hit="post-{secret.pk}"' in page and "Budget open" not in page
    answer = client_for(world.nonmember).get(f"/search/?q=budget&space={world.private_space.pk}")
    assert answer.status_code == 400 and "Budget secret" not in answer.content.decode()


def test_the_page_explains_bad_input(world, client_for):
    assert "at least two characters" in client_for(world.member).get("/search/?q=a").content.decode()
    answer = client_for(world.member).get("/search/?q=x&since=2026-05-02&until=2026-05-01")
    assert answer.status_code == 400 and "end date comes before" in answer.content.decode()
    assert client_for(world.member).get("/search/?q=x&since=yesterday").status_code == 400
    assert client_for(world.member).get("/search/").status_code == 200


def test_the_page_pages_with_a_cursor(world, client_for, settings):
    settings.ALVEOLE_SEARCH_PAGE_SIZE = 2
    for i in range(3):
        feed.create_post(world.member, space=world.open_space, body=f"Retro number {i}")
    client = client_for(world.member)
    first = client.get("/search/?q=retro").content.decode()
    assert first.count("data-search-hit=") == 2 and 'rel="next"' in first
    more = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    second = client.get(more).content.decode()
    assert second.count("data-search-hit=") == 1 and 'rel="next"' not in second
    assert client.get("/search/?q=retro&cursor=forged").status_code == 400


def test_a_search_page_costs_the_same_queries_whatever_its_size(world, client_for, settings):
    client = client_for(world.member)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/search/?q=standup").status_code == 200
        return len(ctx.captured_queries)

    feed.create_post(world.member, space=world.open_space, body="Standup notes")
    few = queries()
    for i in range(6):
        post, _ = feed.create_post(world.owner, space=world.private_space, body=f"Standup {i}")
        feed.create_comment(world.member, post=post, body="standup moved")
        projects.create_task(world.owner, space=world.open_space, title=f"Standup room {i}")
    assert queries() == few


def test_the_api_answers_pages_and_clear_errors(world, api_client_for):
    task = projects.create_task(world.owner, space=world.open_space, title="Order desks")
    client = api_client_for(world.member)
    body = client.get("/api/v1/search?q=desks&type=task").json()
    assert [(i["type"], i["id"], i["url"]) for i in body["items"]] == [("task", task.pk, f"/tasks/{task.pk}/")]
    assert "<mark>" in body["items"][0]["title"] and body["next_cursor"] is None
    assert client.get("/api/v1/search?q=desks&type=post").json()["items"] == []
    assert client.get("/api/v1/search?q=a").status_code == 400
    assert client.get("/api/v1/search?q=desks&type=nonsense").status_code in (400, 422)
    assert client.get("/api/v1/search?q=desks&since=2026-05-02&until=2026-05-01").status_code == 400
    assert client.get("/api/v1/search?q=desks&cursor=forged").status_code == 400
    assert client.get("/api/v1/search?q=desks&space_id=999999").status_code == 404
    suggestions = client.get("/api/v1/search/suggest?q=every").json()
    assert suggestions == [
        {"type": "space", "label": "Everyone", "detail": "", "url": f"/spaces/{world.open_space.pk}/"}
    ]
