"""The topics directory: every topic the viewer can see used, with counts; nothing of the others."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alveole.feed import actions, selectors
from alveole.feed.models import Topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def topics(world):
    actions.create_post(world.member, space=world.open_space, body="Kick-off #launch #Roadmap")
    actions.create_post(world.owner, space=world.open_space, body="Dates for the #launch")
    actions.create_post(world.member, space=world.private_space, body="Client budget #secretdeal")
    actions.create_post(world.other, space=world.other_space, body="Globex only #globexplan")
    actions.follow(world.owner, topic=Topic.objects.get(name="launch"))
    return world


def _names(rows) -> list[str]:
    return [r.topic.name for r in rows]


def test_the_directory_lists_the_topics_the_viewer_can_see_used_most_used_first(topics) -> None:
    rows = selectors.topic_directory(topics.member)
    assert _names(rows) == ["launch", "roadmap", "secretdeal"]
    launch = rows[0]
    assert (launch.posts, launch.followers, launch.following) == (2, 1, False)
    assert launch.last_used is not None
    assert rows[1].topic.label == "Roadmap"  # as first typed


def test_topics_used_only_where_the_viewer_cannot_look_are_not_revealed(topics) -> None:
    assert _names(selectors.topic_directory(topics.nonmember)) == ["launch", "roadmap"]
    assert _names(selectors.topic_directory(topics.other)) == ["globexplan"]
    # The guest is only in the private space: she sees its topic, not the open space's.
    assert _names(selectors.topic_directory(topics.guest)) == ["secretdeal"]


def test_followers_count_only_people_the_viewer_may_see(topics) -> None:
    actions.follow(topics.nonmember, topic=Topic.objects.get(name="launch"))
    assert selectors.topic_directory(topics.member)[0].followers == 2
    # A topic followed and used only out of the guest's sight does not appear; one followed by the guest does,
    # with the count of followers she may see.
    actions.follow(topics.guest, topic=Topic.objects.get(name="secretdeal"))
    guest_rows = selectors.topic_directory(topics.guest)
    assert [(r.topic.name, r.followers, r.following) for r in guest_rows] == [("secretdeal", 1, True)]


def test_a_followed_topic_stays_listed_after_its_posts_are_gone(topics) -> None:
    rows = selectors.topic_directory(topics.owner)
    assert rows[0].topic.name == "launch" and rows[0].following
    for post in topics.open_space.posts.all():
        actions.delete_post(topics.owner, post=post)
    after = {r.topic.name: r for r in selectors.topic_directory(topics.owner)}
    assert after["launch"].posts == 0 and after["launch"].following
    assert "roadmap" not in after


def test_the_directory_costs_a_fixed_number_of_queries(topics) -> None:
    for n in range(15):
        actions.create_post(topics.member, space=topics.open_space, body=f"Topic #t{n}")
    with CaptureQueriesContext(connection) as queries:
        rows = selectors.topic_directory(topics.member)
    assert len(rows) == 18
    assert len(queries) == 4


def test_the_limit_is_a_setting(topics, settings) -> None:
    settings.ALVEOLE_TOPICS_LISTED = 1
    assert _names(selectors.topic_directory(topics.member)) == ["launch"]


def test_the_page_and_the_api(topics, client_for, api_client_for) -> None:
    page = client_for(topics.nonmember).get("/topics/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "#launch" in html and "#Roadmap" in html
    assert "secretdeal" not in html and "globexplan" not in html
    response = api_client_for(topics.nonmember).get("/api/v1/topics")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [(i["name"], i["posts"]) for i in items] == [("launch", 2), ("roadmap", 1)]
    assert client_for(None).get("/topics/").status_code == 302
    assert api_client_for(None).get("/api/v1/topics").status_code == 401
