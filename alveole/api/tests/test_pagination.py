"""The API's cursor pages: one helper (`cursor_page`) builds `{items, next_cursor}` for every paged list."""

from __future__ import annotations

import pydantic
import pytest

from alveole.accounts.models import User
from alveole.api.pagination import PageQuery, cursor_page
from alveole.core.errors import Invalid
from alveole.feed import actions as feed
from alveole.notifications.actions import notify
from alveole.notifications.models import Kind
from alveole.spaces import actions as spaces

pytestmark = pytest.mark.django_db

PEOPLE = ("full_name", "id")


def walk(qs, *, limit: int, **kwargs) -> tuple[list, int]:
    """Every item of every page, and how many pages it took."""
    seen: list = []
    cursor, pages = None, 0
    while True:
        page = cursor_page(PageQuery(cursor=cursor, limit=limit), qs, **kwargs)
        assert set(page) == {"items", "next_cursor"}
        seen += page["items"]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            return seen, pages


def test_a_queryset_is_paged_in_order_to_the_end(world):
    people = User.objects.filter(organisation=world.org)
    everyone = list(people.order_by(*PEOPLE))
    assert len(everyone) == 5
    assert walk(people, limit=2, order=PEOPLE) == (everyone, 3)
    assert walk(people, limit=5, order=PEOPLE) == (everyone, 1)  # a full last page has no next cursor


def test_out_shapes_each_row(world):
    page = cursor_page(PageQuery(limit=2), User.objects.filter(organisation=world.org), order=PEOPLE,
                       out=lambda user: user.full_name)  # fmt: skip
    assert page["items"] == ["Adam Admin", "Gina Guest"]


def test_a_list_that_pages_itself_gets_the_cursor_and_limit(world):
    asked = []

    def fetch(*, cursor, limit):
        asked.append((cursor, limit))
        return [1, 2], "next"

    page = cursor_page(PageQuery(cursor="here", limit=2), fetch, out=lambda n: n * 10)
    assert page == {"items": [10, 20], "next_cursor": "next"}
    assert asked == [("here", 2)]


def test_a_queryset_needs_an_order(world):
    with pytest.raises(TypeError):
        cursor_page(PageQuery(limit=10), User.objects.all())


def test_a_bad_cursor_is_the_usual_400(world):
    with pytest.raises(Invalid) as refused:
        cursor_page(PageQuery(cursor="not-a-cursor", limit=10), User.objects.all(), order=PEOPLE)
    assert refused.value.status == 400 and "cursor" in refused.value.fields


def test_the_page_size_is_bounded(settings):
    assert PageQuery.model_validate({}).limit == settings.ALVEOLE_API_PAGE_SIZE
    for limit in (0, 201):
        with pytest.raises(pydantic.ValidationError):
            PageQuery(limit=limit)


@pytest.mark.parametrize("url", ["/api/v1/spaces", "/api/v1/members", "/api/v1/audit", "/api/v1/notifications"])
def test_every_paged_endpoint_pages_to_the_end(world, api_client_for, url):
    for i in range(3):  # a few notifications (one line per post) and audit rows
        post, _ = feed.create_post(world.member, space=world.open_space, body=f"Post {i}")
        notify(world.owner, kind=Kind.MENTION, actor=world.member, post_id=post.pk, space_id=world.open_space.pk)
        spaces.update_space(world.owner, space=world.open_space, name=f"Everyone {i}")
    client = api_client_for(world.owner)
    everything = client.get(f"{url}?limit=200").json()
    assert everything["next_cursor"] is None
    seen, page_url = [], f"{url}?limit=1"
    while page_url:
        page = client.get(page_url).json()
        assert len(page["items"]) <= 1
        seen += page["items"]
        page_url = f"{url}?limit=1&cursor={page['next_cursor']}" if page["next_cursor"] else ""
    assert len(seen) >= 2 and seen == everything["items"]  # more than one page
