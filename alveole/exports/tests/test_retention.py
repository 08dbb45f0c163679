"""Retention periods delete old content, except under legal hold; both are audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from alveole.core.errors import Invalid, PermissionDenied
from alveole.core.models import AuditEvent
from alveole.exports import retention
from alveole.feed import actions as feed
from alveole.feed.models import Post

pytestmark = pytest.mark.django_db


def age(post: Post, days: int) -> None:
    Post.objects.filter(pk=post.pk).update(created_at=timezone.now() - timedelta(days=days))


def test_old_content_goes_and_recent_content_stays(world):
    old, _ = feed.create_post(world.member, space=world.open_space, body="Old news")
    new, _ = feed.create_post(world.member, space=world.open_space, body="Fresh news")
    age(old, 400)
    retention.set_retention(world.owner, space=None, days=365)
    assert retention.purge_expired.call() == 1
    assert list(Post.objects.filter(space=world.open_space)) == [new]
    assert AuditEvent.objects.filter(action="retention.delete", target_id=world.open_space.pk).exists()


def test_a_space_period_wins_over_the_organisations(world):
    post, _ = feed.create_post(world.member, space=world.private_space, body="Project note")
    age(post, 60)
    retention.set_retention(world.owner, space=None, days=365)
    retention.set_retention(world.owner, space=world.private_space, days=30)
    assert retention.purge_expired.call() == 1


def test_a_legal_hold_stops_deletion_and_is_audited(world):
    post, _ = feed.create_post(world.member, space=world.private_space, body="Evidence")
    age(post, 400)
    retention.set_retention(world.owner, space=None, days=365)
    with pytest.raises(Invalid):
        retention.set_legal_hold(world.admin, space=world.private_space, on=True, reason="")
    retention.set_legal_hold(world.admin, space=world.private_space, on=True, reason="Case 2026-14")
    assert retention.purge_expired.call() == 0
    assert Post.objects.filter(pk=post.pk).exists()
    assert AuditEvent.objects.filter(action="retention.hold", actor=world.admin).exists()
    retention.set_legal_hold(world.owner, space=world.private_space, on=False)
    assert retention.purge_expired.call() == 1


def test_who_may_set_what(world):
    with pytest.raises(PermissionDenied):
        retention.set_retention(world.admin, space=None, days=365)
    with pytest.raises(PermissionDenied):
        retention.set_retention(world.member, space=world.private_space, days=365)
    with pytest.raises(PermissionDenied):
        retention.set_legal_hold(world.member, space=world.private_space, on=True, reason="x")
    with pytest.raises(Invalid):
        retention.set_retention(world.owner, space=world.private_space, days=3)


def test_the_settings_pages_set_retention_and_holds(world, client_for):
    owner = client_for(world.owner)
    assert b"Retention" in owner.get(f"/spaces/{world.private_space.pk}/settings/").content
    response = owner.post(f"/spaces/{world.private_space.pk}/retention/", {"days": "90"})
    assert response.status_code == 302
    assert retention.policy_of(world.org.pk, world.private_space).days == 90
    assert owner.post(f"/spaces/{world.private_space.pk}/retention/", {"days": "ninety"}).status_code == 400
    assert owner.post(f"/spaces/{world.private_space.pk}/retention/", {"days": "3"}).status_code == 400
    held = owner.post(f"/spaces/{world.private_space.pk}/legal-hold/", {"on": "on", "reason": "Audit"})
    assert held.status_code == 302 and retention.policy_of(world.org.pk, world.private_space).legal_hold
    assert client_for(world.member).post(f"/spaces/{world.private_space.pk}/legal-hold/", {"on": ""}).status_code == 403
    assert owner.post("/admin/retention/", {"days": ""}).status_code == 302
    assert client_for(world.admin).post("/admin/retention/", {"days": "400"}).status_code == 403


def test_old_profile_posts_follow_the_organisations_period(world):
    """Posts on people's profiles have no space: the organisation's period applies to them too."""
    old, _ = feed.create_post(world.member, space=None, body="An old thought on my profile")
    new, _ = feed.create_post(world.member, space=None, body="A new one")
    age(old, 400)
    retention.set_retention(world.owner, space=None, days=365)
    assert retention.purge_expired.call() == 1
    assert list(Post.objects.filter(space__isnull=True)) == [new]
    assert AuditEvent.objects.filter(action="retention.delete", target_id=world.org.pk).exists()


def test_retention_publishes_each_deletion_so_open_pages_drop_the_post(world):
    from alveole.live.models import Event

    in_space, _ = feed.create_post(world.member, space=world.open_space, body="Old news")
    on_profile, _ = feed.create_post(world.member, space=None, body="Old thought")
    age(in_space, 400)
    age(on_profile, 400)
    retention.set_retention(world.owner, space=None, days=365)
    retention.purge_expired.call()
    deleted = Event.objects.filter(type="post.deleted").order_by("seq")
    assert [(e.data["post_id"], e.audience, e.space_id) for e in deleted] == [
        (in_space.pk, "space", world.open_space.pk),
        (on_profile.pk, "members", None),
    ]
