"""Query budgets: a feed page costs the same few queries whatever its size."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alveole.factories import MembershipFactory, UserFactory
from alveole.feed import actions

pytestmark = pytest.mark.django_db
FEED_BUDGET = 9
# 19 on SQLite, one more on PostgreSQL (the live log's advisory lock). The search index (issue 14)
# takes 5 of them: the post's entry, its new topics' (1), its files' (3). The topics a new post names
# are linked in one insert, with no look-up of links a new post cannot have yet.
CREATE_BUDGET = 20


@pytest.fixture
def busy(world, settings, tmp_path):
    """40 posts in the open space with reactions, comments, attachments, topics and shares."""
    settings.MEDIA_ROOT = tmp_path
    people = [world.member, world.owner]
    for _ in range(4):
        person = UserFactory.create(organisation=world.org)
        MembershipFactory.create(space=world.open_space, user=person)
        people.append(person)
    for n in range(40):
        author = people[n % len(people)]
        attachment = actions.upload_attachment(author, stream=io.BytesIO(b"notes"), name="n.txt", size=5)
        post, _ = actions.create_post(
            author, space=world.open_space, body=f"Post {n} about #topic{n % 3}", attachment_ids=[attachment.pk]
        )
        for reactor in people[: n % 5]:
            actions.react(reactor, post=post, kind=["like", "love"][n % 2])
        if n % 4 == 0:
            actions.create_comment(people[0], post=post, body="Nice")
        if n % 7 == 0:
            actions.share_post(world.member, post=post, space=world.open_space, body="Look")
    actions.follow(world.member, person=world.owner)
    actions.record_reads(world.member, post_ids=range(1, 20))
    return world


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    ["/api/v1/feed", "/api/v1/spaces/{space}/posts", "/api/v1/topics/topic1/posts", "/api/v1/members/{owner}/posts"],
    ids=["home", "space", "topic", "profile"],
)
def test_a_feed_page_costs_a_fixed_number_of_queries(busy, api_client_for, url):
    client = api_client_for(busy.member)
    client.get("/api/v1/me")  # the token's last-use write happens once a minute, not per page
    url = url.format(space=busy.open_space.pk, owner=busy.owner.pk)
    # Both pages hold shares, reactions, comments and files: only the number of posts differs.
    small, large = count(client, url + "?limit=15"), count(client, url + "?limit=30")
    assert small == large, (small, large)
    assert large <= FEED_BUDGET, large
    body = client.get(url + "?limit=30").json()
    assert body["items"], "the dataset must produce a non-empty page"


@pytest.mark.parametrize("url", ["/api/v1/feed", "/api/v1/spaces/{space}/posts"], ids=["home", "space"])
def test_feed_pages_match_their_documented_schema(busy, api_client_for, url):
    """These pages skip ninja's response validation (alveole.api.responses): the schema is checked here."""
    from alveole.feed.models import Post
    from alveole.feed.schemas import FeedPageOut

    Post.objects.filter(pk__in=Post.objects.filter(space=busy.open_space).values("pk")[:2]).update(
        pinned_at="2026-01-01T00:00:00Z"
    )
    body = api_client_for(busy.member).get(url.format(space=busy.open_space.pk) + "?limit=30").json()
    page = FeedPageOut.model_validate(body)
    assert page.model_dump(mode="json").keys() == body.keys()
    assert body["items"] and all(set(item) == set(page.items[0].model_dump()) for item in body["items"])
    assert any(item["shared_post"] for item in body["items"])
    if "spaces" in url:
        assert len(body["pinned"]) == 2


def test_the_feed_page_carries_everything_a_card_needs(busy, api_client_for):
    items = api_client_for(busy.member).get(f"/api/v1/spaces/{busy.open_space.pk}/posts?limit=30").json()["items"]
    assert any(i["reactions"] for i in items) and any(i["my_reaction"] for i in items)
    assert any(i["comment_count"] for i in items) and all(i["attachments"] for i in items if not i["is_share"])
    assert any(i["shared_post"] for i in items) and any(i["unread"] for i in items)


@pytest.mark.django_db(transaction=True)
def test_creating_a_post_with_mentions_topics_and_a_file_stays_within_budget(world, api_client_for, settings, tmp_path):
    """Measured as in production: the action's transaction is the outermost one (no savepoints), and
    the notification job is queued in the database for the worker (one insert), not run in the request."""
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    client = api_client_for(world.owner)
    client.get("/api/v1/me")
    file_id = client.post("/api/v1/files", {"file": SimpleUploadedFile("a.txt", b"hello")}).json()["id"]
    world.member.handle = "mia"
    world.member.save()
    body = {
        "space_id": world.private_space.pk,
        "body": "Hello @mia and @space, see #plan and #budget",
        "attachment_ids": [file_id],
    }
    with CaptureQueriesContext(connection) as ctx:
        response = client.post("/api/v1/posts", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert len(ctx.captured_queries) <= CREATE_BUDGET, "\n".join(q["sql"] for q in ctx.captured_queries)
    assert any("dbtaskresult" in q["sql"] for q in ctx.captured_queries), "mentions queue a notification job"
    # A post that mentions nobody has nobody to notify: no job at all.
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(
            "/api/v1/posts", {"space_id": world.private_space.pk, "body": "Plain"}, content_type="application/json"
        )
    assert response.status_code == 201
    assert not any("dbtaskresult" in q["sql"] for q in ctx.captured_queries)
