"""Known data for the insights tests: every figure below is counted by hand in `Known`."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import time_machine
from django.utils import timezone

from alveole.accounts.models import User
from alveole.decisions.models import Decision
from alveole.feed.models import Comment, Post, PostKind, PostRead, Reaction, Review
from alveole.projects.models import Task, TaskStatus
from alveole.spaces.models import Space, SpaceMembership, SpaceRole
from alveole.testing import World

# A Wednesday: the period of four weeks starts on Monday 2 November.
NOW = timezone.make_aware(datetime.datetime(2026, 11, 25, 12, 0))
W1, W2, W3, W4 = (datetime.date(2026, 11, d) for d in (2, 9, 16, 23))


def at(day: int, hour: int = 9, month: int = 11) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2026, month, day, hour, 0))


@dataclass
class Known:
    p1: Post
    p2: Post
    p6: Post
    q2: Post
    q3: Post
    profile_post: Post


def _post(author: User, space: Space | None, day: int, *, month: int = 11, **fields: object) -> Post:
    return Post.objects.create(
        organisation_id=author.org_id, space=space, author=author, body=f"Post of {day}/{month}",
        created_at=at(day, month=month), **fields,
    )  # fmt: skip


def _comment(post: Post, author: User, day: int, hour: int = 12, **fields: object) -> Comment:
    return Comment.objects.create(post=post, author=author, body="c", body_html="<p>c</p>", created_at=at(day, hour),
                                  **fields)  # fmt: skip


def _react(post: Post, user: User, day: int) -> None:
    reaction = Reaction.objects.create(post=post, user=user)
    Reaction.objects.filter(pk=reaction.pk).update(created_at=at(day))


@pytest.fixture
def known(world: World) -> Known:
    owner, admin, member, nonmember, guest = world.owner, world.admin, world.member, world.nonmember, world.guest
    open_, private = world.open_space, world.private_space
    # Counted posts.
    p1 = _post(member, open_, 3)
    p2 = _post(nonmember, open_, 10, kind=PostKind.QUESTION)
    p6 = _post(guest, private, 17)
    q2 = _post(member, private, 18, kind=PostKind.QUESTION)
    q3 = _post(member, open_, 24, kind=PostKind.QUESTION)
    profile_post = _post(admin, None, 24)
    # Never counted: before the period, deleted, held, hidden, refused, another organisation.
    _post(member, open_, 20, month=10)
    p3 = _post(member, open_, 10, deleted_at=at(11))
    p4 = _post(member, open_, 17, review=Review.HELD, published_at=None)
    _post(member, open_, 17, hidden_at=at(18))
    _post(member, open_, 17, review=Review.REFUSED, published_at=None)
    _post(world.other, world.other_space, 3)
    # Comments.
    _comment(p1, nonmember, 3)
    _comment(p1, member, 4)
    _comment(p2, member, 10, is_answer=True)  # three hours after the question
    _comment(p6, owner, 17, 10)
    _comment(q2, guest, 19, 9, is_answer=True)  # a day after the question
    _comment(q3, nonmember, 24, 10, is_answer=True, deleted_at=at(24, 11))  # gone: q3 has no answer
    _comment(p1, nonmember, 3, deleted_at=at(4))
    _comment(p1, nonmember, 3, review=Review.HELD, published_at=None)
    _comment(p1, nonmember, 3, hidden_at=at(4))
    _comment(p3, member, 10)
    # Reactions.
    _react(p1, owner, 3)
    _react(p6, guest, 17)
    _react(p3, owner, 10)
    _react(p4, owner, 17)
    # Reads.
    for reader in (owner, member, nonmember):
        PostRead.objects.create(user=reader, post=p1)
    PostRead.objects.create(user=member, post=p2)
    for reader in (guest, owner):
        PostRead.objects.create(user=reader, post=p6)
    for reader in (owner, member, nonmember, admin):
        PostRead.objects.create(user=reader, post=p3)
    # Tasks.
    org = world.org
    tasks = [
        (open_, "t1", datetime.date(2026, 11, 5), at(4, 10)),
        (open_, "t2", datetime.date(2026, 11, 12), at(14)),
        (open_, "t3", datetime.date(2026, 11, 18), None),
        (open_, "t4", datetime.date(2026, 12, 30), None),
        (open_, "t6", datetime.date(2026, 11, 25), None),
        (open_, "t7", None, at(24)),
        (private, "t5", datetime.date(2026, 11, 19), None),
    ]
    for space, title, due, done in tasks:
        Task.objects.create(
            organisation=org, space=space, title=title, due_date=due, completed_at=done,
            status=TaskStatus.DONE if done else TaskStatus.TODO,
        )  # fmt: skip
    # Decisions.
    for space, day, month, post in ((open_, 5, 11, None), (private, 20, 11, None), (open_, 20, 10, None),
                                    (open_, 6, 11, p4)):  # fmt: skip
        Decision.objects.create(organisation=org, space=space, title="d", outcome="o", decided_at=at(day, month=month),
                                post=post)  # fmt: skip
    return Known(p1, p2, p6, q2, q3, profile_post)


def make_manager(user: User, space: Space) -> None:
    SpaceMembership.objects.filter(user=user, space=space).update(role=SpaceRole.MANAGER)


@pytest.fixture
def on_now() -> Iterator[None]:
    """Pages and the API read the clock: hold it at NOW, so the known data stays in their period."""
    with time_machine.travel(NOW, tick=True):
        yield
