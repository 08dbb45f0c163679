"""Idempotent post creation: the same key sent again (double tap, retry, the offline outbox) makes one post."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.urls import reverse

from alveole.feed import actions
from alveole.feed.models import Post

pytestmark = pytest.mark.django_db
FRAGMENT = {"HTTP_X_ALVEOLE_FRAGMENT": "1"}


# --- the API ---------------------------------------------------------------------------------


def test_api_same_key_in_header_returns_the_first_post(world, api_client_for) -> None:
    client = api_client_for(world.member)
    key = str(uuid.uuid4())
    body = {"space_id": world.open_space.pk, "body": "Sent from the train"}
    first = client.post("/api/v1/posts", body, content_type="application/json", headers={"Idempotency-Key": key})
    assert first.status_code == 201, first.content
    again = client.post("/api/v1/posts", body, content_type="application/json", headers={"Idempotency-Key": key})
    assert again.status_code == 200, again.content
    assert again.json()["id"] == first.json()["id"] and again.json()["body"] == "Sent from the train"
    assert Post.objects.filter(author=world.member, body="Sent from the train").count() == 1


def test_api_same_key_in_body_returns_the_first_post(world, api_client_for) -> None:
    client = api_client_for(world.member)
    body = {"space_id": world.open_space.pk, "body": "Once", "idempotency_key": str(uuid.uuid4())}
    first = client.post("/api/v1/posts", body, content_type="application/json")
    again = client.post("/api/v1/posts", body, content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Post.objects.filter(body="Once").count() == 1


def test_api_without_key_or_with_new_keys_creates_each_time(world, api_client_for) -> None:
    client = api_client_for(world.member)
    body = {"space_id": world.open_space.pk, "body": "Twice"}
    assert client.post("/api/v1/posts", body, content_type="application/json").status_code == 201
    assert client.post("/api/v1/posts", body, content_type="application/json").status_code == 201
    for _ in range(2):
        response = client.post(
            "/api/v1/posts", body, content_type="application/json", headers={"Idempotency-Key": str(uuid.uuid4())}
        )
        assert response.status_code == 201
    assert Post.objects.filter(body="Twice").count() == 4


def test_api_keys_are_per_author(world, api_client_for) -> None:
    """Another person's key is not a way to read their post: the same key makes them a post of their own."""
    key = str(uuid.uuid4())
    headers = {"Idempotency-Key": key}
    mine = api_client_for(world.member).post(
        "/api/v1/posts",
        {"space_id": world.private_space.pk, "body": "Client secret"},
        content_type="application/json",
        headers=headers,
    )
    theirs = api_client_for(world.owner).post(
        "/api/v1/posts",
        {"space_id": world.open_space.pk, "body": "Mine"},
        content_type="application/json",
        headers=headers,
    )
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert theirs.json()["id"] != mine.json()["id"] and theirs.json()["body"] == "Mine"


def test_api_bad_keys_are_4xx(world, api_client_for) -> None:
    client = api_client_for(world.member)
    body = {"space_id": world.open_space.pk, "body": "Hi"}
    response = client.post("/api/v1/posts", body, content_type="application/json", headers={"Idempotency-Key": "x"})
    assert 400 <= response.status_code < 500
    response = client.post("/api/v1/posts", {**body, "idempotency_key": "nope"}, content_type="application/json")
    assert 400 <= response.status_code < 500
    response = client.post(
        "/api/v1/posts",
        {**body, "idempotency_key": str(uuid.uuid4())},
        content_type="application/json",
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert response.status_code == 400 and "differ" in response.json()["message"]
    assert not Post.objects.filter(body="Hi").exists()


def test_api_key_of_a_deleted_post_is_a_conflict(world, api_client_for) -> None:
    client = api_client_for(world.member)
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"space_id": world.open_space.pk, "body": "Oops"}
    created = client.post("/api/v1/posts", body, content_type="application/json", headers=headers).json()
    assert client.delete(f"/api/v1/posts/{created['id']}").status_code == 204
    response = client.post("/api/v1/posts", body, content_type="application/json", headers=headers)
    assert response.status_code == 409
    assert Post.objects.filter(body="Oops").count() == 1


# --- the action, under a race -------------------------------------------------------------------


def test_the_database_refuses_a_second_post_with_the_same_key(world) -> None:
    key = uuid.uuid4()
    actions.create_post(world.member, space=world.open_space, body="First", idempotency_key=key)
    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.create(organisation=world.org, space=world.open_space, author=world.member, idempotency_key=key)


def test_a_concurrent_request_with_the_same_key_wins_and_is_returned(world) -> None:
    """Another request inserts the same key after this one looked for it, before this one's insert: this
    one returns the winner's post, and its transaction goes on (its insert failed in a savepoint)."""
    key = uuid.uuid4()
    winner: list[Post] = []
    looked: list[bool] = []

    def other_request_in_between(execute, sql, params, many, context):
        # The winner's row lands just before the loser opens the savepoint around its insert.
        if "idempotency_key" in sql and sql.lstrip().upper().startswith("SELECT"):
            looked.append(True)
        elif looked and not winner and sql.lstrip().upper().startswith("SAVEPOINT"):
            winner.append(
                Post.objects.create(
                    organisation=world.org,
                    space=world.open_space,
                    author=world.member,
                    body="Winner",
                    idempotency_key=key,
                )
            )
        return execute(sql, params, many, context)

    with transaction.atomic():
        with connection.execute_wrapper(other_request_in_between):
            post, report = actions.create_post(world.member, space=world.open_space, body="Loser", idempotency_key=key)
        assert Post.objects.count() == 1  # the transaction is still usable
    assert winner and report.replayed and post.pk == winner[0].pk
    assert list(Post.objects.values_list("body", flat=True)) == ["Winner"]


@pytest.mark.django_db(transaction=True)
def test_many_requests_with_one_key_at_once_make_one_post(world) -> None:
    """The real race, on PostgreSQL: six requests with the same key at the same instant."""
    if connection.vendor == "sqlite":
        pytest.skip("runs on PostgreSQL (ALVEOLE_TEST_DATABASE_URL); SQLite already has one writer at a time")
    key = uuid.uuid4()
    start = threading.Barrier(6)
    ids: list[int] = []
    errors: list[BaseException] = []

    def send() -> None:
        try:
            start.wait()
            post, _report = actions.create_post(
                world.member, space=world.open_space, body="At once", idempotency_key=key
            )
            ids.append(post.pk)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(ids) == 6 and len(set(ids)) == 1
    assert Post.objects.filter(body="At once").count() == 1


# --- the web form -----------------------------------------------------------------------------


def test_composer_carries_a_fresh_key_each_time(world, client_for) -> None:
    client = client_for(world.member)
    pages = [client.get(reverse("home")).content.decode(), client.get(reverse("home")).content.decode()]
    keys = [page.split('name="idempotency_key" value="', 1)[1].split('"', 1)[0] for page in pages]
    assert all(uuid.UUID(k) for k in keys) and keys[0] != keys[1]
    space_page = client.get(reverse("space_detail", args=[world.open_space.pk])).content.decode()
    assert 'name="idempotency_key" value="' in space_page


def test_form_sent_twice_with_the_same_key_posts_once(world, client_for) -> None:
    client = client_for(world.member)
    data = {"space": world.open_space.pk, "kind": "update", "body": "Double tap", "idempotency_key": str(uuid.uuid4())}
    first = client.post(reverse("post_create"), data, **FRAGMENT)
    again = client.post(reverse("post_create"), data, **FRAGMENT)
    assert (first.status_code, again.status_code) == (201, 200)
    post = Post.objects.get(body="Double tap")
    assert f'data-post-id="{post.pk}"' in again.content.decode()
    plain = client.post(reverse("post_create"), {**data, "next": "/"})
    assert plain.status_code == 302
    assert Post.objects.filter(body="Double tap").count() == 1


def test_form_with_a_bad_key_is_a_400(world, client_for) -> None:
    client = client_for(world.member)
    data = {"space": world.open_space.pk, "kind": "update", "body": "Bad key", "idempotency_key": "not-a-uuid"}
    assert client.post(reverse("post_create"), data).status_code == 400
    assert not Post.objects.filter(body="Bad key").exists()
