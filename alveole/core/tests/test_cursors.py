"""Page cursors are signed and typed: only a cursor this server made for this list is followed."""

from __future__ import annotations

import base64
import json

import pytest
from django.core import signing

from alveole.accounts.models import User
from alveole.core.cursors import decode_cursor, encode_cursor, paginate
from alveole.core.errors import Invalid
from alveole.factories import OrganisationFactory, UserFactory
from alveole.feed.models import Post

pytestmark = pytest.mark.django_db
FEED = ("-created_at", "-id")
PEOPLE = ("full_name", "id")


def unsigned(values: object) -> str:
    """A cursor as the old format made it (and as anyone can forge it): base64 JSON."""
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def signed_with_the_key(values: object, order: tuple[str, ...]) -> str:
    """What someone holding SECRET_KEY could sign: the types are still checked."""
    return signing.Signer(salt="alveole.cursor:" + ",".join(order)).sign_object(values)


@pytest.fixture
def people() -> list[User]:
    org = OrganisationFactory.create()
    return [UserFactory.create(organisation=org, full_name=f"Person {i:02d}") for i in range(5)]


def test_pages_follow_each_other_without_gaps_or_repeats(people):
    qs = User.objects.filter(pk__in=[p.pk for p in people])
    seen, cursor = [], None
    while True:
        rows, cursor = paginate(qs, order=PEOPLE, cursor=cursor, limit=2)
        seen += [r.pk for r in rows]
        if cursor is None:
            break
    assert seen == [p.pk for p in sorted(people, key=lambda p: (p.full_name, p.pk))]


def test_a_cursor_round_trips_datetimes_and_ids(people):
    qs = User.objects.all()
    cursor = encode_cursor(qs, ("-date_joined", "-id"), people[0])
    assert decode_cursor(qs, ("-date_joined", "-id"), cursor) == [people[0].date_joined, people[0].pk]


@pytest.mark.parametrize(
    "values",
    [[None, None], [{}, 1], ["x", 1], [1e308, 1], [True, False], [None], ["2024-01-01", "a"], [], "x", None],
)
def test_forged_cursors_are_refused_before_any_query(values):
    with pytest.raises(Invalid) as refused:
        decode_cursor(Post.objects.all(), FEED, unsigned(values))
    assert refused.value.fields == {"cursor": "This page cursor is not valid; start again from the first page."}


@pytest.mark.parametrize(
    "values",
    [
        [None, None],
        [{}, 1],
        ["not a date", 1],
        [1e308, 1],
        [True, False],
        ["2024-01-01T00:00:00+00:00", True],
        ["2024-01-01T00:00:00+00:00", 1.5],
        ["2024-01-01T00:00:00+00:00", 2**63],
        ["2024-01-01T00:00:00", 1],  # no time zone: ambiguous
        ["2024-01-01T00:00:00+00:00"],
        ["2024-01-01T00:00:00+00:00", 1, 2],
        "2024-01-01T00:00:00+00:00",
    ],
)
def test_even_a_correctly_signed_cursor_must_hold_the_right_types(values):
    with pytest.raises(Invalid):
        decode_cursor(Post.objects.all(), FEED, signed_with_the_key(values, FEED))


def test_a_cursor_only_works_for_the_list_that_made_it(people):
    qs = User.objects.all()
    cursor = encode_cursor(qs, PEOPLE, people[0])
    with pytest.raises(Invalid):
        decode_cursor(qs, ("-full_name", "-id"), cursor)


def test_an_altered_cursor_is_refused(people):
    qs = User.objects.all()
    cursor = encode_cursor(qs, PEOPLE, people[0])
    payload, signature = cursor.rsplit(":", 1)
    other = signing.b64_encode(json.dumps(["Person 99", people[0].pk]).encode()).decode()
    with pytest.raises(Invalid):
        decode_cursor(qs, PEOPLE, f"{other}:{signature}")
    with pytest.raises(Invalid):
        decode_cursor(qs, PEOPLE, payload + ":" + "A" * len(signature))


def test_text_values_may_not_carry_nul(people):
    with pytest.raises(Invalid):
        decode_cursor(User.objects.all(), PEOPLE, signed_with_the_key(["a\x00b", 1], PEOPLE))


def test_overlong_cursors_are_refused_unread():
    with pytest.raises(Invalid):
        decode_cursor(Post.objects.all(), FEED, "A" * 5000)
